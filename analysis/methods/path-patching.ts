/**
 * Path patching (METHODS.md, "Activation patching", last paragraph): the effect of sender heads
 * on receivers — a head's q, k or v input, or the logits — through the residual stream alone,
 * with everything else frozen at the corrupted run. The standard two passes, per sender group:
 *
 *   pass 1  run the corrupted input; every head's hook_z is replaced by its value in the
 *           corrupted run (frozen), except the senders', which take the clean run's; every MLP's
 *           output is frozen too (unless `recomputeMlps`). Norms are recomputed. Capture the
 *           receivers' hook_q / hook_k / hook_v (or, for 'logits', the logits themselves).
 *   pass 2  run the corrupted input with only the receivers' inputs replaced by pass 1's values
 *           (all positions, the receiver's head slice), everything downstream recomputed; score
 *           the metric. For 'logits' pass 1 already is that run: the final residual is the input
 *           of the unembedding.
 *
 * Metrics as in activation patching: the metric of the logits at one position (default the
 * last) and (M − M_corrupt) / (M_clean − M_corrupt). For k and v receivers of a GQA model the
 * receiver is the kv head the query head reads (head / (nHeads / nKvHeads)), shared by its group.
 *
 * Senders 'each-feature': every feature activation and error term of the dictionaries attached to
 * the model (feature-patch-cells.ts), one at a time; in pass 1 that feature (or error term) takes
 * the clean run's value with every head and MLP frozen as above, so its change reaches the
 * receivers through the residual stream alone. Grid [dictionary, feature], the error term last.
 */
import type { ActivationCache, Intervention } from '../hooks/interventions.ts';
import { hook } from '../hooks/points.ts';
import type { Model } from '../model/model.ts';
import { run } from '../model/run.ts';
import type { Corruption } from './corruption.ts';
import { corruptedInput } from './corruption.ts';
import type { LogitMetric, MetricFn } from './logit-metric.ts';
import { metricFunction, normalizedMetric } from './logit-metric.ts';
import type { FeatureGrid } from './feature-patch-cells.ts';
import { featureGrid } from './feature-patch-cells.ts';
import type { HeadLocation } from './head-location.ts';
import { headLabel } from './head-location.ts';

export interface HeadInput extends HeadLocation {
  readonly input: 'q' | 'k' | 'v';
}

export interface PathPatchingOptions {
  readonly clean: readonly number[];
  readonly corruption: Corruption;
  /** Sender heads patched together, 'each-head': every head alone, giving a [layer, head] grid, or 'each-feature' (see above). */
  readonly senders: readonly HeadLocation[] | 'each-head' | 'each-feature';
  /** Receiver head inputs (patched together in pass 2), or the logits. */
  readonly receivers: readonly HeadInput[] | 'logits';
  readonly metric: LogitMetric;
  /** Position whose logits the metric reads (default: the last). */
  readonly position?: number;
  /** Let MLPs respond to the senders in pass 1 instead of freezing them (default false). */
  readonly recomputeMlps?: boolean;
}

export interface PathPatchingResult {
  /** The sender groups, in the order of `metric` (empty for 'each-feature': see `features`). */
  readonly senders: readonly (readonly HeadLocation[])[];
  /** Sizes of `metric` / `normalized`: [nLayers, nHeads] for 'each-head', [dictionaries, d_sae + 1] for 'each-feature', else [1]. */
  readonly shape: readonly number[];
  /** 'each-feature': the dictionaries along the first axis and what the last column patches. */
  readonly features?: Pick<FeatureGrid, 'dictionaries' | 'lastColumn'>;
  /** [...shape] row-major: metric after patching the path from each sender group. */
  readonly metric: Float64Array;
  /** [...shape]: (metric − corruptedMetric) / (cleanMetric − corruptedMetric). */
  readonly normalized: Float64Array;
  readonly cleanMetric: number;
  readonly corruptedMetric: number;
}

const CLEAN = 'clean';
const CORRUPT = 'corrupt';
const PASS1 = 'pass1';

function checkHead(model: Model, h: HeadLocation, what: string): void {
  const { nLayers, nHeads } = model.spec;
  if (!Number.isInteger(h.layer) || h.layer < 0 || h.layer >= nLayers || !Number.isInteger(h.head) || h.head < 0 || h.head >= nHeads) {
    throw new Error(`path patching: ${what} ${headLabel(h)} is not a head of ${model.label} (${nLayers} layers × ${nHeads} heads)`);
  }
}

function receiverHook(input: HeadInput): string {
  return input.input === 'q' ? hook.q(input.layer) : input.input === 'k' ? hook.k(input.layer) : hook.v(input.layer);
}

/** The receiver's slice along its hook's head axis (kv heads for k and v). */
function receiverHead(model: Model, input: HeadInput): number {
  return input.input === 'q' ? input.head : Math.floor(input.head / (model.spec.nHeads / model.spec.nKvHeads));
}

/** Pass 1's freeze: every head and MLP at the corrupted run (the senders' patches come after, so they win). */
function frozen(model: Model, recomputeMlps: boolean): Intervention[] {
  const out: Intervention[] = [];
  for (let l = 0; l < model.spec.nLayers; l++) {
    out.push({ hook: hook.z(l), op: 'replace', source: CORRUPT });
    if (!recomputeMlps) out.push({ hook: hook.mlpOut(l), op: 'replace', source: CORRUPT });
  }
  return out;
}

/** Sender heads' hook_z from the clean run. */
function senderHeads(model: Model, senders: readonly HeadLocation[]): Intervention[] {
  const out: Intervention[] = [];
  for (let l = 0; l < model.spec.nLayers; l++) {
    const here = [...new Set(senders.filter((s) => s.layer === l).map((s) => s.head))];
    if (here.length) out.push({ hook: hook.z(l), op: 'replace', source: CLEAN, head: here });
  }
  return out;
}

export async function pathPatching(model: Model, options: PathPatchingOptions): Promise<PathPatchingResult> {
  const clean = [...options.clean];
  const corrupted = await corruptedInput(model, clean, options.corruption);
  const position = options.position ?? clean.length - 1;
  if (!Number.isInteger(position) || position < 0 || position >= clean.length) {
    throw new Error(`path patching: metric position ${position} is outside the prompt [0, ${clean.length})`);
  }
  const { nLayers: L, nHeads: H, dVocab: V } = model.spec;
  const features = options.senders === 'each-feature' ? featureGrid(model, false, clean.length) : null;
  const groups: HeadLocation[][] = options.senders === 'each-head'
    ? Array.from({ length: L * H }, (_, i) => [{ layer: Math.floor(i / H), head: i % H }])
    : options.senders === 'each-feature'
      ? []
      : [[...options.senders]];
  // Each pass 1's senders: heads' hook_z, or one feature activation / error term, from the clean run.
  const senderPatches: Intervention[][] = features
    ? features.cells.map((c) => [{ hook: c.hook!, op: 'replace', source: CLEAN, ...(c.feature !== undefined ? { neuron: c.feature } : {}) }])
    : groups.map((senders) => senderHeads(model, senders));
  groups.flat().forEach((s) => checkHead(model, s, 'sender'));
  if (options.receivers !== 'logits') {
    if (options.receivers.length === 0) throw new Error('path patching: give at least one receiver (or "logits")');
    for (const r of options.receivers) {
      checkHead(model, r, 'receiver');
      if (!['q', 'k', 'v'].includes(r.input)) throw new Error(`path patching: receiver input "${String(r.input)}" must be q, k or v`);
    }
  }
  const metric: MetricFn = metricFunction(options.metric, V);
  const score = (logits: Float32Array) => metric(logits.subarray(position * V, (position + 1) * V));
  const corruptInput = { ids: corrupted.ids };
  const base = corrupted.interventions;
  const zAndMlp = ['blocks.*.attn.hook_z', 'blocks.*.hook_mlp_out', ...(features ? [...new Set(features.cells.map((c) => c.hook!))] : [])];
  const cleanRun = await run(model, { ids: clean }, { capture: zAndMlp });
  const corruptRun = await run(model, corruptInput, { capture: zAndMlp, interventions: base });
  const caches: Record<string, ActivationCache> = { [CLEAN]: cleanRun.cache, [CORRUPT]: corruptRun.cache };
  const receivers = options.receivers;
  const receiverHooks = receivers === 'logits' ? [] : [...new Set(receivers.map(receiverHook))];

  const values = new Float64Array(senderPatches.length);
  for (const [g, patches] of senderPatches.entries()) {
    const pass1 = await run(model, corruptInput, {
      interventions: [...base, ...frozen(model, options.recomputeMlps ?? false), ...patches],
      capture: receiverHooks,
      caches,
    });
    if (receivers === 'logits') {
      values[g] = score(pass1.logits!.data);
      continue;
    }
    const pass2 = await run(model, corruptInput, {
      interventions: [
        ...base,
        ...receivers.map((r): Intervention => ({ hook: receiverHook(r), op: 'replace', source: PASS1, head: receiverHead(model, r) })),
      ],
      caches: { [PASS1]: pass1.cache },
    });
    values[g] = score(pass2.logits!.data);
  }
  const cleanMetric = score(cleanRun.logits!.data);
  const corruptedMetric = score(corruptRun.logits!.data);
  return {
    senders: groups,
    shape: features ? [...features.shape] : options.senders === 'each-head' ? [L, H] : [1],
    ...(features ? { features: { dictionaries: features.dictionaries, lastColumn: features.lastColumn } } : {}),
    metric: values,
    normalized: values.map((m) => normalizedMetric(m, cleanMetric, corruptedMetric)),
    cleanMetric,
    corruptedMetric,
  };
}
