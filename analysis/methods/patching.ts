/**
 * Activation patching (METHODS.md, "Activation patching").
 *
 * Two inputs of equal token length, clean and corrupted. Denoising (default): run the corrupted
 * input and `replace` one activation slice with the clean run's; noising: run the clean input and
 * replace with the corrupted run's. Each cell of a sweep is one patched run, scored by a metric of
 * the logits at one position (default the last; e.g. logit[A] − logit[B]) and by the normalised
 * metric (M_patched − M_corrupt) / (M_clean − M_corrupt): 1 = the clean metric restored, 0 = as
 * corrupted (in noising runs 1 = the clean behaviour survives the corruption of that slice).
 *
 * Sweeps and axis order of `metric` / `normalized` (row-major):
 *   resid_pre | resid_mid | resid_post | attn_out | mlp_out   [layer, pos]   (byPosition false: [layer])
 *   z | q | k | v                                            [layer, pos, head] or [layer, head]
 *   pattern                                                  [layer, head]
 *   features (dictionaries attached)                         [dictionary, pos, feature] or [dictionary, feature]
 * `head` is the query head, except for k and v, whose head axis has the model's kv heads (GQA).
 *
 * Corruptions: symmetric token replacement or Gaussian noise on token embeddings (corruption.ts).
 * Patched runs reuse the unchanged layers and positions of the run patched into and are batched
 * (patch-runs.ts); `mode: 'naive'` re-runs the whole model per cell and gives the same numbers.
 */
import type { Model } from '../model/model.ts';
import type { Corruption } from './corruption.ts';
import { corruptedInput } from './corruption.ts';
import type { LogitMetric } from './logit-metric.ts';
import { metricFunction, normalizedMetric } from './logit-metric.ts';
import type { GridAxis, PatchHook } from './patch-cells.ts';
import { patchGridOf } from './feature-patch-cells.ts';
import type { Batching, RunSpec } from './patch-runs.ts';
import { naiveSweep, reusingSweep } from './patch-runs.ts';

export interface PatchingOptions {
  /** Clean token ids. */
  readonly clean: readonly number[];
  readonly corruption: Corruption;
  readonly hook: PatchHook;
  /** Patch one position at a time (default true; must be false for 'pattern'). */
  readonly byPosition?: boolean;
  /** logit[answer] − logit[wrong], or any function of one position's logits. */
  readonly metric: LogitMetric;
  /** Position whose logits the metric reads (default: the last). */
  readonly position?: number;
  /** 'denoising' (default): corrupted run, clean activations patched in. 'noising': the reverse. */
  readonly direction?: 'denoising' | 'noising';
  /** 'reuse' (default) skips what a patch cannot change; 'naive' re-runs everything per cell. */
  readonly mode?: 'reuse' | 'naive';
  /** Batching of reused runs (default: see `defaultBatching`). */
  readonly batching?: Partial<Batching>;
  /** 'reuse': told after the two full runs how many more forward passes the sweep makes (patch-runs.ts). */
  readonly onPlanned?: (passes: number) => void;
}

export interface PatchingResult {
  readonly hook: PatchHook;
  readonly direction: 'denoising' | 'noising';
  /** Axis names of `metric` and `normalized`, e.g. ['layer', 'pos']. */
  readonly axes: readonly GridAxis[];
  /** Sizes along `axes`, e.g. [nLayers, nPos]. */
  readonly shape: readonly number[];
  /** [...shape] row-major: the metric of each patched run. */
  readonly metric: Float64Array;
  /** [...shape]: (metric − corruptedMetric) / (cleanMetric − corruptedMetric); NaN when they are equal. */
  readonly normalized: Float64Array;
  readonly cleanMetric: number;
  readonly corruptedMetric: number;
  /** Position whose logits the metric read. */
  readonly position: number;
  /** [pos] the corrupted tokens (the clean ones for noise corruption). */
  readonly corruptedIds: readonly number[];
  /** σ of the embedding noise, null for token replacement. */
  readonly noiseSigma: number | null;
  /** Forward calls spent on patched runs (batched calls count once). */
  readonly patchedCalls: number;
  /** hook `features`: the dictionaries along the `dictionary` axis (their output hooks) and what the last feature column patches. */
  readonly features?: { readonly dictionaries: readonly string[]; readonly lastColumn: 'error' | 'recons' };
}

/** Floats one batched call may hold in its largest activations (256 MiB of f32). */
const BATCH_FLOAT_BUDGET = 2 ** 26;
const WASM_RECOMPUTE = 3;

/**
 * The reference CPU backend pays per token, so rows only share a call when they start at the
 * same position (free). The fast CPU backend reads every weight matrix once per call and its
 * GEMMs run faster with more rows, so rows share a call when they recompute at most
 * WASM_RECOMPUTE positions (measured on GPT-2-small shapes: 28% less CPU time than 0, and
 * more recompute costs more than it saves). GPUs pay per call, so rows of a layer are batched
 * whatever they recompute. Either way a call's attention patterns and MLP activations stay
 * within BATCH_FLOAT_BUDGET.
 */
export function defaultBatching(model: Model, nPos: number): Batching {
  const { nHeads, dMlp, dModel } = model.spec;
  const perRow = nHeads * nPos * nPos + nPos * Math.max(dMlp, dModel);
  const maxBatch = Math.max(1, Math.min(64, Math.floor(BATCH_FLOAT_BUDGET / perRow)));
  const recompute = { cpu: 0, wasm: WASM_RECOMPUTE, webgpu: Infinity }[model.backend.info.name] ?? 0;
  return { maxBatch, maxRecompute: recompute };
}

export async function activationPatching(model: Model, options: PatchingOptions): Promise<PatchingResult> {
  const clean = [...options.clean];
  if (clean.length === 0) throw new Error('activation patching: the clean prompt has no tokens');
  const corrupted = await corruptedInput(model, clean, options.corruption);
  const position = options.position ?? clean.length - 1;
  if (!Number.isInteger(position) || position < 0 || position >= clean.length) {
    throw new Error(`activation patching: metric position ${position} is outside the prompt [0, ${clean.length})`);
  }
  const direction = options.direction ?? 'denoising';
  const byPosition = options.byPosition ?? options.hook !== 'pattern';
  const grid = patchGridOf(model, options.hook, byPosition, clean.length);
  const cleanRun: RunSpec = { ids: clean, interventions: [] };
  const corruptRun: RunSpec = { ids: corrupted.ids, interventions: corrupted.interventions };
  const request = {
    model,
    base: direction === 'denoising' ? corruptRun : cleanRun,
    source: direction === 'denoising' ? cleanRun : corruptRun,
    which: options.hook,
    cells: grid.cells,
    metric: metricFunction(options.metric, model.spec.dVocab),
    position,
    onPlanned: options.onPlanned,
  };
  const out = options.mode === 'naive'
    ? await naiveSweep(request)
    : await reusingSweep(request, { ...defaultBatching(model, clean.length), ...options.batching });
  const [cleanMetric, corruptedMetric] = direction === 'denoising' ? [out.sourceMetric, out.baseMetric] : [out.baseMetric, out.sourceMetric];
  return {
    hook: options.hook,
    direction,
    axes: grid.axes,
    shape: grid.shape,
    metric: out.metric,
    normalized: out.metric.map((m) => normalizedMetric(m, cleanMetric, corruptedMetric)),
    cleanMetric,
    corruptedMetric,
    position,
    corruptedIds: corrupted.ids,
    noiseSigma: corrupted.noiseSigma,
    patchedCalls: out.patchedCalls,
    ...(grid.dictionaries && grid.lastColumn ? { features: { dictionaries: grid.dictionaries, lastColumn: grid.lastColumn } } : {}),
  };
}
