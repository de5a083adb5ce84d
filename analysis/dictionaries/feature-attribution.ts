/**
 * Direct logit attribution split into dictionary features (DLA on feature activations): for a
 * dictionary that writes a residual-stream component (`blocks.L.hook_mlp_out`,
 * `blocks.L.hook_attn_out`, or the last layer's `hook_resid_post`, the final residual itself),
 * spliced in with the error term so the model is unchanged, the component at `pos` is
 *   Σ_f acts[f] · W_dec[f] + b_dec (+ skip·x) + error
 * and each piece maps to the metric through DLA's frozen readout w (analysis/methods/readout.ts):
 * feature f contributes acts[f] · (W_dec[f] · w). The pieces sum to the component's DLA value
 * (for the last resid_post: to the metric minus the final-norm and unembedding biases).
 *
 * `featureSplit` is the split itself, for any dictionary spliced into a pass whose output is a
 * residual-width activation (also resid_pre/mid/post inside the network, where its total is that
 * activation read out directly, as the logit lens with the final norm frozen): DLA uses it for the
 * dictionaries attached to its model.
 */
import type { ActivationCache } from '../hooks/interventions.ts';
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

/** One dictionary's features, bias and error through a readout direction w at one position. */
export interface FeatureSplit {
  readonly hook: string;
  /** Active features, largest |contribution| first. */
  readonly features: { readonly feature: number; readonly activation: number; readonly contribution: number }[];
  readonly bias: number;
  /** 0 when the dictionary is spliced without its error term. */
  readonly error: number;
  /** Σ features + bias + error = (the hook's activation) · w. */
  readonly total: number;
}

/** The stages `featureSplit` reads, to capture in the pass. */
export function featureSplitHooks(dict: Dictionary, errorTerm: boolean): string[] {
  const out = dict.config.hookOut;
  return [dictionaryHook.actsPost(out), dictionaryHook.recons(out), ...(errorTerm ? [dictionaryHook.error(out)] : [])];
}

/** Whether a dictionary's output is one residual-width vector per position (what a readout direction applies to). */
export function splitsResidual(dict: Dictionary, dModel: number): boolean {
  return dict.config.dOut === dModel && dict.config.headIndex === null && !/\.hook_z$|\.attn\.hook_[qkv]$/.test(dict.config.hookOut);
}

export async function featureSplit(dict: Dictionary, cache: ActivationCache, pos: number, w: Float64Array): Promise<FeatureSplit> {
  const { hookOut, dSae, dOut } = dict.config;
  const [acts, recons, error] = featureSplitHooks(dict, true);
  const [decoder] = await dict.backend.read([dict.weights.decoder]);
  const row = cache[acts].data.subarray(pos * dSae, (pos + 1) * dSae);
  const features: FeatureSplit['features'][number][] = [];
  let sum = 0;
  row.forEach((a, f) => {
    if (a === 0) return;
    const contribution = a * dot(decoder.subarray(f * dOut, (f + 1) * dOut), w);
    sum += contribution;
    features.push({ feature: f, activation: a, contribution });
  });
  features.sort((x, y) => Math.abs(y.contribution) - Math.abs(x.contribution));
  // The reconstruction minus its features is b_dec plus any skip connection.
  const bias = dot(cache[recons].data.subarray(pos * dOut, (pos + 1) * dOut), w) - sum;
  const err = cache[error] ? dot(cache[error].data.subarray(pos * dOut, (pos + 1) * dOut), w) : 0;
  return { hook: hookOut, features, bias, error: err, total: sum + bias + err };
}

function writesResidual(hookOut: string, nLayers: number): boolean {
  const m = /^blocks\.(\d+)\.(hook_mlp_out|hook_attn_out|hook_resid_post)$/.exec(hookOut);
  return m !== null && (m[2] !== 'hook_resid_post' || Number(m[1]) === nLayers - 1);
}

export async function featureLogitAttribution(model: Model, dict: Dictionary, ids: readonly number[], options: FeatureAttributionOptions = {}): Promise<FeatureAttribution> {
  const { hookOut, dOut, label } = dict.config;
  if (!writesResidual(hookOut, model.spec.nLayers) || dOut !== model.spec.dModel) {
    throw new Error(`dictionary ${label} writes ${hookOut}: direct attribution needs a residual write (hook_mlp_out, hook_attn_out or the last layer's hook_resid_post)`);
  }
  const r = await run(model, { ids }, { capture: [...featureSplitHooks(dict, true), hook.lnFinalScale], dictionaries: [{ dictionary: dict, errorTerm: true }] });
  const pos = resolvePosition(options.pos, ids.length, 'feature attribution position');
  const V = model.spec.dVocab;
  const logits = r.logits!.data.subarray(pos * V, (pos + 1) * V);
  const answer = options.answer ?? logits.indexOf(Math.max(...logits));
  const target = { answer, wrong: options.wrong };
  const readout = await frozenReadout(model, target, r.cache[hook.lnFinalScale].data[pos], true);
  const split = await featureSplit(dict, r.cache, pos, readout.direction);
  return { pos, answer, wrong: options.wrong ?? null, metric: metricOf(logits, target), features: split.features, bias: split.bias, error: split.error, total: split.total, readout };
}
