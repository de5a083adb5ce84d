/**
 * Attribution patching (METHODS.md, "Attribution patching"): the first-order estimate of a whole
 * activation-patching sweep from one clean run, one corrupted run and one backward pass,
 *
 *   attribution[cell] = Σ_{entries of the cell's slice} (a_clean − a_corrupt) · ∂M/∂a |corrupted run
 *
 * i.e. the predicted change M_patched − M_corrupt of denoising that slice. Shown beside exact
 * patching (analysis/methods/patching.ts, same cells) and their Pearson correlation. Where the
 * path from the patched slice to the metric is linear the two agree exactly.
 *
 * Axis order of `attribution` / `exact` (row-major), as activationPatching's sweeps:
 *   resid_pre | resid_mid | resid_post | attn_out | mlp_out   [layer, pos]   (byPosition false: [layer])
 *   z | q | k | v                                            [layer, pos, head] or [layer, head]
 *   pattern                                                  [layer, head]
 *   features (dictionaries attached)                         [dictionary, pos, feature] or [dictionary, feature]
 * `head` is the query head, except for k and v (kv heads). For features the gradient is taken at
 * hook_sae_acts_post with the error term held fixed (W_dec · g, analysis/grad/splice-vjp.ts) and at
 * the error term itself: the same nodes the exact sweep patches.
 *
 * Example: attributionPatching(model, {clean, corruption: {kind: 'tokens', ids}, hook: 'resid_pre',
 * answer: a, wrong: b}).
 */
import { gradients } from '../grad/gradients.ts';
import type { DifferentiableMetric } from '../grad/metric.ts';
import { logitDiff, logitOf } from '../grad/metric.ts';
import type { HostActivation } from '../hooks/interventions.ts';
import type { Model } from '../model/model.ts';
import { run } from '../model/run.ts';
import type { Corruption } from './corruption.ts';
import { corruptedInput } from './corruption.ts';
import type { ActivationCache } from '../hooks/interventions.ts';
import { patchGridOf } from './feature-patch-cells.ts';
import type { GridAxis, PatchCell, PatchHook } from './patch-cells.ts';
import { patchHookName } from './patch-cells.ts';
import type { PatchingResult } from './patching.ts';
import { activationPatching } from './patching.ts';

export interface AttributionPatchingOptions {
  /** Clean token ids. */
  readonly clean: readonly number[];
  readonly corruption: Corruption;
  readonly hook: PatchHook;
  /** One cell per position (default true; false for 'pattern', which is always [layer, head]). */
  readonly byPosition?: boolean;
  /** metric = logit[answer] − logit[wrong] (logit[answer] alone without `wrong`). */
  readonly answer: number;
  readonly wrong?: number;
  /** Position whose logits the metric reads (default: the last). */
  readonly position?: number;
  /** Also run exact activation patching and correlate (default true). */
  readonly exact?: boolean;
  /** The exact sweep's `onPlanned` (patching.ts). */
  readonly onPlanned?: (passes: number) => void;
}

export interface AttributionPatchingResult {
  readonly hook: PatchHook;
  /** Axis names of the grids, e.g. ['layer', 'pos']. */
  readonly axes: readonly GridAxis[];
  /** Sizes along `axes`. */
  readonly shape: readonly number[];
  /** [...shape] first-order estimate of M_patched − M_corrupt. */
  readonly attribution: Float64Array;
  /** [...shape] exact M_patched − M_corrupt (denoising); null when exact patching was skipped. */
  readonly exact: Float64Array | null;
  /** Pearson correlation of attribution and exact over all cells; null without exact. */
  readonly pearson: number | null;
  readonly cleanMetric: number;
  readonly corruptedMetric: number;
  readonly position: number;
  /** [pos] the corrupted tokens (the clean ones for noise corruption). */
  readonly corruptedIds: readonly number[];
  /** hook `features`: as PatchingResult's. */
  readonly features?: PatchingResult['features'];
}

/** Pearson correlation coefficient of two equally long series (NaN if either is constant). */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/**
 * Σ over each cell's slice of (clean − corrupt) · grad at one layer's hook, added into `out` at
 * the cells of that layer. Every entry belongs to one cell (its pos/head, or all of them).
 */
function accumulateLayer(
  out: Float64Array,
  layerOffset: number,
  axes: readonly GridAxis[],
  shape: readonly number[],
  hookAxes: readonly string[],
  clean: HostActivation,
  corrupt: HostActivation,
  grad: HostActivation,
): void {
  const dims = grad.shape;
  const posAxis = hookAxes.indexOf('pos');
  const headAxis = hookAxes.findIndex((a) => a === 'head' || a === 'kvHead');
  const gridPos = axes.indexOf('pos');
  const gridHead = axes.indexOf('head');
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const coord = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < grad.data.length; i++) {
    let cell = layerOffset;
    if (gridPos >= 0) cell += coord[posAxis] * strides[gridPos];
    if (gridHead >= 0) cell += coord[headAxis] * strides[gridHead];
    out[cell] += (clean.data[i] - corrupt.data[i]) * grad.data[i];
    for (let d = dims.length - 1; d >= 0; d--) {
      if (++coord[d] < dims[d]) break;
      coord[d] = 0;
    }
  }
}

/** Feature cells (own hook, optional pos and feature): Σ over the cell's entries of (clean − corrupt) · grad. */
function accumulateCells(out: Float64Array, cells: readonly PatchCell[], clean: ActivationCache, corrupt: ActivationCache, grads: ActivationCache): void {
  cells.forEach((cell, i) => {
    const h = cell.hook!;
    const [, S, W] = grads[h].shape;
    let sum = 0;
    for (let p = cell.pos ?? 0; p < (cell.pos ?? S - 1) + 1; p++) {
      for (let j = cell.feature ?? 0; j < (cell.feature ?? W - 1) + 1; j++) {
        const k = p * W + j;
        sum += (clean[h].data[k] - corrupt[h].data[k]) * grads[h].data[k];
      }
    }
    out[i] = sum;
  });
}

export async function attributionPatching(model: Model, options: AttributionPatchingOptions): Promise<AttributionPatchingResult> {
  const clean = [...options.clean];
  const S = clean.length;
  if (S === 0) throw new Error('attribution patching: the clean prompt has no tokens');
  const position = options.position ?? S - 1;
  if (!Number.isInteger(position) || position < 0 || position >= S) {
    throw new Error(`attribution patching: metric position ${position} is outside the prompt [0, ${S})`);
  }
  const corrupted = await corruptedInput(model, clean, options.corruption);
  const byPosition = options.byPosition ?? options.hook !== 'pattern';
  const grid = patchGridOf(model, options.hook, byPosition, S);
  const hooks = grid.dictionaries ? [...new Set(grid.cells.map((c) => c.hook!))] : Array.from({ length: model.spec.nLayers }, (_, l) => patchHookName(model.spec, options.hook, l));
  // 'last' when the metric reads the last position, so only one row is unembedded.
  const at = position === S - 1 ? -1 : position;
  const metric: DifferentiableMetric = options.wrong === undefined ? logitOf(options.answer, at) : logitDiff(options.answer, options.wrong, at);

  const cleanRun = await run(model, { ids: clean }, { capture: hooks, logits: metric.reads });
  const cleanMetric = metric.evaluate(cleanRun.logits!).value;
  const corrupt = await gradients(model, { ids: corrupted.ids }, {
    metric,
    wrt: hooks,
    interventions: corrupted.interventions,
    keepActivations: true,
  });

  const attribution = new Float64Array(grid.cells.length);
  if (grid.dictionaries) {
    accumulateCells(attribution, grid.cells, cleanRun.cache, corrupt.activations!, corrupt.grads);
  } else {
    const perLayer = grid.cells.length / model.spec.nLayers;
    hooks.forEach((name, l) => {
      const point = model.hookPoints.find((p) => p.name === name)!;
      accumulateLayer(attribution, l * perLayer, grid.axes, grid.shape, point.axes, cleanRun.cache[name], corrupt.activations![name], corrupt.grads[name]);
    });
  }

  let exact: Float64Array | null = null;
  let r: number | null = null;
  if (options.exact ?? true) {
    const patched = await activationPatching(model, {
      clean,
      corruption: options.corruption,
      hook: options.hook,
      byPosition,
      metric: { answer: options.answer, wrong: options.wrong },
      position,
      onPlanned: options.onPlanned,
    });
    exact = patched.metric.map((m) => m - patched.corruptedMetric);
    r = pearson(attribution, exact);
  }
  return {
    hook: options.hook,
    axes: grid.axes,
    shape: grid.shape,
    attribution,
    exact,
    pearson: r,
    cleanMetric,
    corruptedMetric: corrupt.value,
    position,
    corruptedIds: corrupted.ids,
    ...(grid.dictionaries && grid.lastColumn ? { features: { dictionaries: grid.dictionaries, lastColumn: grid.lastColumn } } : {}),
  };
}
