/**
 * Direct logit attribution split into dictionary features (DLA on feature activations): for a
 * dictionary that writes a residual-stream component (`blocks.L.hook_mlp_out`,
 * `blocks.L.hook_attn_out`, or the last layer's `hook_resid_post`, the final residual itself),
 * spliced in with the error term so the model is unchanged, the component at `pos` is
 *   Σ_f acts[f] · W_dec[f] + b_dec (+ skip·x) + error
 * and each piece maps to the metric through DLA's frozen readout w (analysis/methods/readout.ts):
 * feature f contributes acts[f] · (W_dec[f] · w). The pieces sum to the component's DLA value
 * (for the last resid_post: to the metric minus the final-norm and unembedding biases).
 */
import { hook } from '../hooks/points.ts';
import type { Model } from '../model/model.ts';
import { run } from '../model/run.ts';
import type { FrozenReadout } from '../methods/readout.ts';
import { dot, frozenReadout, metricOf } from '../methods/readout.ts';
import { resolvePosition } from '../methods/sequence.ts';
import { dictionaryHook } from './dictionary.ts';
import type { Dictionary } from './device.ts';

export interface FeatureAttributionOptions {
  /** Default −1 (the last position). */
  readonly pos?: number;
  /** Default: the argmax logit at `pos`. */
  readonly answer?: number;
  readonly wrong?: number;
}

export interface FeatureAttribution {
  readonly pos: number;
  readonly answer: number;
  readonly wrong: number | null;
  /** logit[answer] − logit[wrong] at pos. */
  readonly metric: number;
  /** Active features, largest |contribution| first. */
  readonly features: { readonly feature: number; readonly activation: number; readonly contribution: number }[];
  /** b_dec · w (and the skip connection's term, when there is one). */
  readonly bias: number;
  /** error · w: what the dictionary does not reconstruct. */
  readonly error: number;
  /** Σ features + bias + error: the component's whole direct contribution. */
  readonly total: number;
  readonly readout: FrozenReadout;
}

function writesResidual(hookOut: string, nLayers: number): boolean {
  const m = /^blocks\.(\d+)\.(hook_mlp_out|hook_attn_out|hook_resid_post)$/.exec(hookOut);
  return m !== null && (m[2] !== 'hook_resid_post' || Number(m[1]) === nLayers - 1);
}

export async function featureLogitAttribution(model: Model, dict: Dictionary, ids: readonly number[], options: FeatureAttributionOptions = {}): Promise<FeatureAttribution> {
  const { hookOut, dSae, dOut, label } = dict.config;
  if (!writesResidual(hookOut, model.spec.nLayers) || dOut !== model.spec.dModel) {
    throw new Error(`dictionary ${label} writes ${hookOut}: direct attribution needs a residual write (hook_mlp_out, hook_attn_out or the last layer's hook_resid_post)`);
  }
  const names = [dictionaryHook.actsPost(hookOut), dictionaryHook.recons(hookOut), dictionaryHook.error(hookOut), hook.lnFinalScale];
  const r = await run(model, { ids }, { capture: names, dictionaries: [{ dictionary: dict, errorTerm: true }] });
  const pos = resolvePosition(options.pos, ids.length, 'feature attribution position');
  const V = model.spec.dVocab;
  const logits = r.logits!.data.subarray(pos * V, (pos + 1) * V);
  const answer = options.answer ?? logits.indexOf(Math.max(...logits));
  const target = { answer, wrong: options.wrong };
  const readout = await frozenReadout(model, target, r.cache[hook.lnFinalScale].data[pos], true);
  const w = readout.direction;
  const [decoder] = await dict.backend.read([dict.weights.decoder]);
  const acts = r.cache[names[0]].data.subarray(pos * dSae, (pos + 1) * dSae);
  const features: FeatureAttribution['features'][number][] = [];
  let sum = 0;
  acts.forEach((a, f) => {
    if (a === 0) return;
    const contribution = a * dot(decoder.subarray(f * dOut, (f + 1) * dOut), w);
    sum += contribution;
    features.push({ feature: f, activation: a, contribution });
  });
  features.sort((x, y) => Math.abs(y.contribution) - Math.abs(x.contribution));
  // The reconstruction minus its features is b_dec plus any skip connection.
  const recons = dot(r.cache[names[1]].data.subarray(pos * dOut, (pos + 1) * dOut), w);
  const error = dot(r.cache[names[2]].data.subarray(pos * dOut, (pos + 1) * dOut), w);
  const bias = recons - sum;
  return { pos, answer, wrong: options.wrong ?? null, metric: metricOf(logits, target), features, bias, error, total: sum + bias + error, readout };
}
