/**
 * Head ablation (METHODS.md "Head ablation"): replace one or more heads' blocks.l.attn.hook_z by
 *   zero      – 0;
 *   mean      – the mean over positions of the same input, or over every real token of a
 *               reference set when one is given;
 *   resample  – the head's z from another input of the same token length;
 *   uniform   – the head attends uniformly over its causal window (the `uniform` intervention on
 *               blocks.l.attn.hook_pattern: pre-softmax scores set to 0), so z = mean of its values;
 * and report, at one position, the ablated logits, the metric (logit[answer] − logit[wrong]), the
 * loss of the whole sequence and KL(clean ‖ ablated) of the next-token distribution.
 * Per-head sweeps over the [layer, head] grid, with DLA beside them, are in ablation-sweep.ts.
 */
import type { Intervention, NamedCaches, SourceCache } from '../hooks/interventions.ts';
import { hook } from '../hooks/points.ts';
import type { Model } from '../model/model.ts';
import type { ModelInput } from '../model/run.ts';
import { run } from '../model/run.ts';
import type { LogitTarget } from './readout.ts';
import { metricOf } from './readout.ts';
import { oneSequence, resolvePosition, rowAt } from './sequence.ts';
import { extremeIds, klDivergence } from './token-scores.ts';

export type AblationMode = 'zero' | 'mean' | 'resample' | 'uniform';
export const ABLATION_MODES: readonly AblationMode[] = ['zero', 'mean', 'resample', 'uniform'];

export interface HeadRef {
  readonly layer: number;
  readonly head: number;
}

/** Where ablated values come from; shared by single ablations and sweeps. */
export interface AblationSourceOptions {
  readonly mode: AblationMode;
  /** resample: the input whose hook_z replaces the head's (same token length as the input). */
  readonly resampleFrom?: ModelInput;
  /** mean: a reference set (one or more sequences) to average over instead of the input itself. */
  readonly reference?: ModelInput;
  /** For text inputs: prepend BOS (default: the tokenizer's rule). */
  readonly prependBos?: boolean;
}

/** The position and metric read out of every run. */
export interface AblationReadoutOptions {
  /** Position for logits, metric and KL (negative from the end; default the last). */
  readonly pos?: number;
  /** Default: the clean run's argmax at `pos`. */
  readonly answer?: number;
  readonly wrong?: number;
}

export interface AblationOptions extends AblationSourceOptions, AblationReadoutOptions {
  readonly heads: readonly HeadRef[];
}

export interface AblationResult {
  readonly ids: number[];
  readonly pos: number;
  readonly mode: AblationMode;
  readonly heads: HeadRef[];
  readonly answer: number;
  readonly wrong: number | null;
  /** [vocab] ablated logits at pos. */
  readonly logits: Float32Array;
  /** Mean next-token loss of the ablated run over the whole sequence. */
  readonly loss: number | null;
  /** Ablated metric at pos. */
  readonly metric: number;
  /** KL(clean ‖ ablated) at pos, in nats. */
  readonly kl: number;
  readonly clean: { readonly logits: Float32Array; readonly loss: number | null; readonly metric: number };
  /** The interventions that were run (replayable with `run`, given `caches`). */
  readonly interventions: Intervention[];
}

const RESAMPLE = 'resample';
const REFERENCE = 'reference';

export function checkHead(model: Model, h: HeadRef): void {
  const { nLayers, nHeads } = model.spec;
  if (!Number.isInteger(h.layer) || h.layer < 0 || h.layer >= nLayers) throw new Error(`head ${h.layer}.${h.head}: layer ${h.layer} is outside [0, ${nLayers})`);
  if (!Number.isInteger(h.head) || h.head < 0 || h.head >= nHeads) throw new Error(`head ${h.layer}.${h.head}: head ${h.head} is outside [0, ${nHeads})`);
}

/** The intervention ablating one head; `row` restricts it to one batch row (sweeps). */
export function headAblation(h: HeadRef, mode: AblationMode, options: { row?: number; withReference?: boolean } = {}): Intervention {
  const base = { head: h.head, ...(options.row === undefined ? {} : { batch: options.row }) };
  switch (mode) {
    case 'zero':
      return { ...base, hook: hook.z(h.layer), op: 'zero' };
    case 'mean':
      return { ...base, hook: hook.z(h.layer), op: 'mean', ...(options.withReference ? { reference: REFERENCE } : {}) };
    case 'resample':
      return { ...base, hook: hook.z(h.layer), op: 'resample', source: RESAMPLE };
    case 'uniform':
      return { ...base, hook: hook.pattern(h.layer), op: 'uniform' };
  }
}

/**
 * The caches the ablation's interventions name: the resample input's hook_z, or the reference
 * set's hook_z with every real token of every row laid along one position axis
 * ([1, tokens, head, dHead]), so the engine's mean over positions is the mean over real tokens
 * (left padding never enters it).
 */
export async function ablationCaches(model: Model, ids: readonly number[], layers: readonly number[], source: AblationSourceOptions): Promise<NamedCaches> {
  const capture = [...new Set(layers)].map((l) => hook.z(l));
  if (source.mode === 'resample') {
    if (!source.resampleFrom) throw new Error('ablation mode "resample" needs an input to resample from (resampleFrom)');
    const other = oneSequence(model, source.resampleFrom, source.prependBos, 'resample input');
    if (other.length !== ids.length) {
      throw new Error(`resample input has ${other.length} tokens, the input has ${ids.length}: resampling hook_z needs equal lengths`);
    }
    return { [RESAMPLE]: (await run(model, { ids: other }, { capture, logits: 'none' })).cache };
  }
  if (source.mode === 'mean' && source.reference) {
    const ref = await run(model, source.reference, { capture, logits: 'none', prependBos: source.prependBos });
    const cache: SourceCache = {};
    for (const name of capture) {
      const { shape, data } = ref.cache[name]; // [batch, pos, head, dHead]
      const [batch, pos] = shape;
      if (batch !== ref.ids.length) throw new Error(`internal: reference batch ${batch} ≠ ${ref.ids.length} rows`);
      const width = shape[2] * shape[3];
      const rows = ref.ids.map((row, b) => data.subarray((b * pos + ref.padding[b]) * width, (b + 1) * pos * width));
      const joined = new Float32Array(rows.reduce((n, r) => n + r.length, 0));
      rows.reduce((at, r) => (joined.set(r, at), at + r.length), 0);
      cache[name] = { shape: [1, joined.length / width, shape[2], shape[3]], data: joined };
    }
    return { [REFERENCE]: cache };
  }
  return {};
}

export async function ablateHeads(model: Model, input: ModelInput, options: AblationOptions): Promise<AblationResult> {
  if (options.heads.length === 0) throw new Error('ablateHeads: no heads given');
  options.heads.forEach((h) => checkHead(model, h));
  const V = model.spec.dVocab;
  const ids = oneSequence(model, input, options.prependBos, 'ablation input');
  const pos = resolvePosition(options.pos, ids.length, 'ablation position');
  const caches = await ablationCaches(model, ids, options.heads.map((h) => h.layer), options);
  const interventions = options.heads.map((h) => headAblation(h, options.mode, { withReference: options.reference !== undefined }));
  const clean = await run(model, { ids });
  const ablated = await run(model, { ids }, { interventions, caches });
  const cleanLogits = rowAt(clean.logits!.data, pos, V).slice();
  const logits = rowAt(ablated.logits!.data, pos, V).slice();
  const target: LogitTarget = { answer: options.answer ?? extremeIds(cleanLogits, 1)[0], wrong: options.wrong };
  checkTarget(model, target);
  return {
    ids,
    pos,
    mode: options.mode,
    heads: options.heads.map((h) => ({ layer: h.layer, head: h.head })),
    answer: target.answer,
    wrong: target.wrong ?? null,
    logits,
    loss: ablated.loss,
    metric: metricOf(logits, target),
    kl: klDivergence(cleanLogits, logits),
    clean: { logits: cleanLogits, loss: clean.loss, metric: metricOf(cleanLogits, target) },
    interventions,
  };
}

export function checkTarget(model: Model, target: LogitTarget): void {
  const V = model.spec.dVocab;
  for (const [what, id] of [['answer', target.answer], ['wrong', target.wrong]] as const) {
    if (id !== undefined && (!Number.isInteger(id) || id < 0 || id >= V)) throw new Error(`${what} token ${id} is outside the vocabulary [0, ${V})`);
  }
}
