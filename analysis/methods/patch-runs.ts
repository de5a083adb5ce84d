/**
 * Executing a patching sweep: every cell is "the base run with one activation slice replaced by
 * the source run's". Two executors with identical results:
 *
 * - `naiveSweep`: one full `run()` per cell with a declarative `replace` intervention (what
 *   TransformerLens does). The reference for tests and the bench.
 * - `reusingSweep`: a patch at layer l and position p cannot change anything at layers below l
 *   or at positions before p (causal attention). So each patched run starts at layer l from the
 *   base run's `resid_pre` (forward's `start`), with the base run's keys/values of positions
 *   < p0 as a KV cache, and computes only positions p0..S−1. Cells are batched: rows of one call
 *   share layer l and the cached prefix [0, p0); a row patched at p > p0 recomputes positions
 *   p0..p−1, which see exactly the base run's inputs and so reproduce its values. Cells whose
 *   source values equal the base run's bit for bit are not run at all (patch-skip.ts). Without
 *   standing interventions or dictionaries, the final norm and unembedding of every cell's
 *   metric row run together at the end (a few many-row GEMMs instead of one per call).
 *
 * Both apply the same `replace` intervention at the same hook, so the numbers agree (bit for bit
 * on the CPU backend, whose per-row arithmetic does not depend on the batch or the cache split).
 */
import type { Tensor } from '../../gpu/backend.ts';
import type { Intervention, SourceCache } from '../hooks/interventions.ts';
import { hook } from '../hooks/points.ts';
import { HookSession } from '../hooks/session.ts';
import { hookOptionsWithStanding } from '../hooks/standing.ts';
import type { KvState, LogitsSelection } from '../model/forward.ts';
import { forward } from '../model/forward.ts';
import type { Model } from '../model/model.ts';
import { run } from '../model/run.ts';
import { tensorScope } from '../model/scope.ts';
import type { TokenBatch } from '../model/tokens.ts';
import { leftPad } from '../model/tokens.ts';
import type { MetricFn } from './logit-metric.ts';
import type { PatchCell, PatchHook } from './patch-cells.ts';
import { cellHook, cellIntervention, PATCH_SOURCE } from './patch-cells.ts';
import type { SkipPlan } from './patch-skip.ts';
import { planSkipCheck, unchangedCells } from './patch-skip.ts';

/** A run: tokens plus the interventions that define it (noise on hook_embed, or none). */
export interface RunSpec {
  readonly ids: readonly number[];
  readonly interventions: readonly Intervention[];
}

export interface SweepRequest {
  readonly model: Model;
  /** The run that is patched into (corrupted when denoising). */
  readonly base: RunSpec;
  /** The run the patched activations come from (clean when denoising). */
  readonly source: RunSpec;
  readonly which: PatchHook;
  readonly cells: readonly PatchCell[];
  readonly metric: MetricFn;
  /** Position whose logits the metric reads. */
  readonly position: number;
  /**
   * Told by the reusing sweep, once its cells are grouped (after its two full runs, whose
   * read-backs show which patches are no-ops), how many more forward passes it makes.
   */
  readonly onPlanned?: (passes: number) => void;
}

export interface SweepOutput {
  /** Metric of each cell's patched run, in the order of `cells`. */
  readonly metric: Float64Array;
  readonly baseMetric: number;
  readonly sourceMetric: number;
  /** Forward calls spent on patched runs (a batched call counts once). */
  readonly patchedCalls: number;
}

export interface Batching {
  /** Most rows in one batched call. */
  readonly maxBatch: number;
  /** Most unchanged positions a row may recompute to share a call with rows patched earlier. */
  readonly maxRecompute: number;
}

function logitsFor(position: number, length: number): LogitsSelection {
  return position === length - 1 ? 'last' : 'all';
}

/** Metric of row `row` of logits [rows, n, vocab] read at local position `at` (n = 1 for 'last'). */
function rowMetric(metric: MetricFn, logits: Float32Array, row: number, n: number, at: number, vocab: number): number {
  const start = (row * n + at) * vocab;
  return metric(logits.subarray(start, start + vocab));
}

function usedHookNames(req: SweepRequest): string[] {
  return [...new Set(req.cells.map((c) => cellHook(req.model.spec, req.which, c)))];
}

export async function naiveSweep(req: SweepRequest): Promise<SweepOutput> {
  const { model, base, source, metric, position } = req;
  const V = model.spec.dVocab;
  const logits = logitsFor(position, base.ids.length);
  const at = logits === 'last' ? 0 : position;
  const n = logits === 'last' ? 1 : base.ids.length;
  const src = await run(model, { ids: source.ids }, { capture: usedHookNames(req), interventions: source.interventions, logits });
  const plain = await run(model, { ids: base.ids }, { interventions: base.interventions, logits });
  const out = new Float64Array(req.cells.length);
  for (const [i, cell] of req.cells.entries()) {
    const patched = await run(model, { ids: base.ids }, {
      interventions: [...base.interventions, cellIntervention(cellHook(model.spec, req.which, cell), cell)],
      caches: { [PATCH_SOURCE]: src.cache },
      logits,
    });
    out[i] = rowMetric(metric, patched.logits!.data, 0, n, at, V);
  }
  return {
    metric: out,
    baseMetric: rowMetric(metric, plain.logits!.data, 0, n, at, V),
    sourceMetric: rowMetric(metric, src.logits!.data, 0, n, at, V),
    patchedCalls: req.cells.length,
  };
}

interface Group {
  readonly layer: number;
  /** First computed position: earlier positions come from the base run's KV cache. */
  readonly start: number;
  /** Indices into the request's cells, one batch row each. */
  readonly rows: number[];
}

/**
 * Batches cells: same layer, at most `maxBatch` rows, and no row more than `maxRecompute`
 * positions after the group's start. Cells patched after the metric position cannot change the
 * metric (causality) and cells in `unchanged` patch in what is already there (patch-skip.ts):
 * both are left out (their metric is the base metric).
 */
export function planGroups(
  cells: readonly PatchCell[],
  position: number,
  batching: Batching,
  unchanged: ReadonlySet<number> = new Set(),
): { groups: Group[]; unaffected: number[] } {
  const unaffected: number[] = [];
  const order: number[] = [];
  cells.forEach((c, i) => ((c.pos !== undefined && c.pos > position) || unchanged.has(i) ? unaffected : order).push(i));
  const startOf = (i: number) => cells[i].pos ?? 0;
  order.sort((a, b) => cells[a].layer - cells[b].layer || startOf(a) - startOf(b) || a - b);
  const groups: Group[] = [];
  for (const i of order) {
    const g = groups[groups.length - 1];
    const fits = g && g.layer === cells[i].layer && g.rows.length < batching.maxBatch && startOf(i) - g.start <= batching.maxRecompute;
    if (fits) g.rows.push(i);
    else groups.push({ layer: cells[i].layer, start: startOf(i), rows: [i] });
  }
  return { groups, unaffected };
}

/** The base run's keys/values of positions [0, start) for layers ≥ layer, repeated over `rows`. */
function cachedPrefix(b: Model['backend'], kv: KvState, layer: number, start: number, rows: number): KvState {
  const prefix = (t: Tensor) => {
    const [, , kvHeads, dHead] = t.shape;
    return b.expand(b.slice(t, 1, 0, start), [rows, start, kvHeads, dHead]);
  };
  return {
    // forward reads only layers ≥ `layer` when it starts there; lower entries are placeholders.
    layers: kv.layers.map((l, i) => (i < layer ? l : { k: prefix(l.k), v: prefix(l.v), dropped: l.dropped })),
    valid: new Uint8Array(rows * start).fill(1),
    length: start,
    nextPosition: new Int32Array(rows).fill(start),
  };
}

/** The captured tensors (or their position spans) that the skip check reads, in the plan's order. */
function skipTensors(b: Model['backend'], plan: SkipPlan, captured: ReadonlyMap<string, Tensor>): Tensor[] {
  return plan.reads.map(({ hook: name, span }) => {
    const t = captured.get(name)!;
    return span ? b.slice(t, span.axis, span.start, span.end) : t;
  });
}

/** Most cells' final rows unembedded in one call (their logits: TAIL_ROWS × vocab floats). */
const TAIL_ROWS = 64;

/** Whether the reusing sweep runs the model's tail once over every cell's metric row at the end (see reusingSweep). */
export function defersTail(model: Model): boolean {
  return !model.standing?.interventions.length && !model.dictionaries?.length;
}

/** Forward passes of the reusing sweep after its two full runs: one per group, and one per tail chunk. */
export function groupPasses(groups: readonly { readonly rows: readonly number[] }[], deferTail: boolean): number {
  const rows = groups.reduce((n, g) => n + g.rows.length, 0);
  return groups.length + (deferTail ? Math.ceil(rows / TAIL_ROWS) : 0);
}

export async function reusingSweep(req: SweepRequest, batching: Batching): Promise<SweepOutput> {
  const { model, base, source, metric, position } = req;
  const { dVocab: V, dModel: d, nLayers } = model.spec;
  const S = base.ids.length;
  const logits = logitsFor(position, S);
  const scope = tensorScope(model.backend);
  try {
    const b = scope.backend;
    const core = { ...model, backend: b };
    const read = async (t: Tensor) => (await model.backend.read([t]))[0];
    const at = (start: number) => (logits === 'last' ? 0 : position - start);
    const width = (start: number) => (logits === 'last' ? 1 : S - start);

    const srcHooks = new HookSession(b, model.hookPoints, hookOptionsWithStanding(model, { capture: usedHookNames(req), interventions: source.interventions }));
    const srcOut = await forward(core, { tokens: leftPad([source.ids]), hooks: srcHooks, logits });
    const sourceTensors = [...srcHooks.capturedTensors().values()];
    const sourceCache: SourceCache = Object.fromEntries(srcHooks.capturedTensors());

    const residNames = Array.from({ length: nLayers }, (_, l) => hook.residPre(l));
    // The values arriving at each resid_pre: a patched run restarts there and applies that hook's
    // interventions and splices itself, once.
    const baseHooks = new HookSession(
      b,
      model.hookPoints,
      hookOptionsWithStanding(model, { arriving: residNames, capture: usedHookNames(req), interventions: base.interventions }),
    );
    const baseOut = await forward(core, { tokens: leftPad([base.ids]), hooks: baseHooks, logits, keepKv: true });
    const residPre = residNames.map((n) => baseHooks.arrivingTensors().get(n)!);
    const reused = [...residPre, ...sourceTensors, ...baseOut.kv!.layers.flatMap((l) => [l.k, l.v])];

    const hookOf = (cell: PatchCell) => cellHook(model.spec, req.which, cell);
    const shapes = (captured: ReadonlyMap<string, Tensor>) => new Map([...captured].map(([name, t]) => [name, t.shape]));
    const skip = planSkipCheck(req.cells, hookOf, model.hookPoints, position, shapes(srcHooks.capturedTensors()), shapes(baseHooks.capturedTensors()));
    // Each full run's one read-back (its pass) brings its logits and what the skip check compares.
    const [baseLogits, ...baseValues] = await model.backend.read([baseOut.logits!, ...skipTensors(b, skip, baseHooks.capturedTensors())]);
    const [srcLogits, ...srcValues] = await model.backend.read([srcOut.logits!, ...skipTensors(b, skip, srcHooks.capturedTensors())]);
    const baseMetric = rowMetric(metric, baseLogits, 0, width(0), at(0), V);
    const sourceMetric = rowMetric(metric, srcLogits, 0, width(0), at(0), V);
    const out = new Float64Array(req.cells.length);
    const unchanged = unchangedCells(req.cells, model.hookPoints, skip, srcValues, baseValues);
    const { groups, unaffected } = planGroups(req.cells, position, batching, unchanged);
    for (const i of unaffected) out[i] = baseMetric;

    // Without standing interventions or dictionaries the model's tail (final norm, unembedding)
    // is the same function for every row, so it runs once over every cell's metric row at the
    // end, one GEMM of many rows, instead of one single-row unembedding per call.
    const deferTail = defersTail(model);
    req.onPlanned?.(groupPasses(groups, deferTail));
    const lastResid = hook.residPost(nLayers - 1);
    const tailRows: { cell: number; resid: Float32Array }[] = [];
    for (const g of groups) {
      const rows = g.rows.length;
      const n = S - g.start;
      const tokens: TokenBatch = leftPad(new Array(rows).fill(base.ids.slice(g.start)), new Array(rows).fill(g.start));
      const resid = b.expand(b.slice(residPre[g.layer], 1, g.start, S), [rows, n, d]);
      const hooks = new HookSession(
        b,
        model.hookPoints,
        hookOptionsWithStanding(model, {
          interventions: g.rows.map((cellIndex, row) => cellIntervention(cellHook(model.spec, req.which, req.cells[cellIndex]), req.cells[cellIndex], row)),
          caches: { [PATCH_SOURCE]: sourceCache },
          ...(deferTail ? { capture: [lastResid] } : {}),
        }),
      );
      const past = g.start > 0 ? cachedPrefix(b, baseOut.kv!, g.layer, g.start, rows) : undefined;
      const result = await forward(core, { tokens, hooks, logits: deferTail ? 'none' : logits, past, start: { layer: g.layer, resid } });
      if (deferTail) {
        const local = position - g.start;
        const data = await read(b.slice(hooks.capturedTensors().get(lastResid)!, 1, local, local + 1));
        g.rows.forEach((cell, row) => tailRows.push({ cell, resid: data.subarray(row * d, (row + 1) * d) }));
      } else {
        const data = await read(result.logits!);
        g.rows.forEach((cellIndex, row) => (out[cellIndex] = rowMetric(metric, data, row, width(g.start), at(g.start), V)));
      }
      // Per-group tensors are not needed once read; keep only what later groups reuse.
      scope.release(reused);
    }
    for (let i = 0; i < tailRows.length; i += TAIL_ROWS) {
      const chunk = tailRows.slice(i, i + TAIL_ROWS);
      const resid = new Float32Array(chunk.length * d);
      chunk.forEach((r, row) => resid.set(r.resid, row * d));
      const tokens = leftPad(chunk.map(() => [base.ids[position]]), chunk.map(() => position));
      const hooks = new HookSession(b, model.hookPoints, hookOptionsWithStanding(model, {}));
      const result = await forward(core, { tokens, hooks, logits: 'last', start: { layer: nLayers, resid: b.upload(resid, [chunk.length, 1, d]) } });
      const data = await read(result.logits!);
      chunk.forEach((r, row) => (out[r.cell] = rowMetric(metric, data, row, 1, 0, V)));
      scope.release(reused);
    }
    return { metric: out, baseMetric, sourceMetric, patchedCalls: groups.length };
  } finally {
    scope.release();
  }
}
