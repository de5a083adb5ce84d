/**
 * Patching cells whose patch changes nothing. A cell's `replace` writes the source run's values
 * into its slice of a hook; where those values are bit for bit the ones the base run already has
 * there, the patched run is the base run and its metric is the base metric, exactly (no
 * tolerance: every later value is computed from identical inputs). With a token corruption that
 * holds, for instance, at every position before the first differing token (at every layer) and
 * at the first layer's resid_pre for every position whose token is the same.
 *
 * The values compared are the hook's captured values in both runs (after the interventions and
 * splices every run applies there, as `replace` sees them). A cell with a position is compared
 * over that whole position (every head, every feature), a cell without one over the whole
 * tensor: a superset of what the cell replaces, so equality there implies a no-op.
 *
 * The comparison is on the host, so it reads back only what the cells name (`planSkipCheck`):
 * per hook, the span of positions its cells patch up to the metric position (cells after it
 * cannot change the metric and are never run), or the whole tensor for cells without a
 * position. Each span is read in the same read-back as its run's logits, so checking costs no
 * extra round trip (and no extra pass in a host's progress count).
 */
import type { HookPoint } from '../hooks/points.ts';
import type { PatchCell } from './patch-cells.ts';

/** One hook's values that the check reads from each run: positions [start, end) along `axis`, or the whole tensor. */
export interface SkipRead {
  readonly hook: string;
  readonly span?: { readonly axis: number; readonly start: number; readonly end: number };
  /** Shape of what is read (the hook's shape, cut to the span). */
  readonly shape: readonly number[];
}

export interface SkipPlan {
  /** At most one read per hook; each is read from both runs. */
  readonly reads: readonly SkipRead[];
  /** Per cell, the index of the read its check compares; −1: the cell is never skipped. */
  readonly readOfCell: Int32Array;
}

/** Whether a and b hold the same bits (so −0 ≠ +0, and NaN equals only the same NaN). */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Whether index `at` along axis `axis` of a and b (both of `shape`) holds the same bits. */
function sameAt(shape: readonly number[], a: Float32Array, b: Float32Array, axis: number, at: number): boolean {
  const size = shape[axis];
  const inner = shape.slice(axis + 1).reduce((p, s) => p * s, 1);
  const outer = shape.slice(0, axis).reduce((p, s) => p * s, 1);
  for (let o = 0; o < outer; o++) {
    const start = (o * size + at) * inner;
    if (!sameBits(a.subarray(start, start + inner), b.subarray(start, start + inner))) return false;
  }
  return true;
}

/**
 * What the check reads for `cells`, given the shapes each run captured. A cell is never skipped
 * (and nothing is read for it) when it patches after `metricPosition` (it is not run anyway),
 * when its hook is missing from either run or has another shape there, or when it has a
 * position its hook has no `pos` axis for or that lies outside it.
 */
export function planSkipCheck(
  cells: readonly PatchCell[],
  hookOf: (cell: PatchCell) => string,
  points: readonly HookPoint[],
  metricPosition: number,
  source: ReadonlyMap<string, readonly number[]>,
  base: ReadonlyMap<string, readonly number[]>,
): SkipPlan {
  const posAxis = new Map(points.map((p) => [p.name, p.axes.indexOf('pos')]));
  // Per hook: whether some cell needs the whole tensor, else the span of positions named.
  const needs = new Map<string, { shape: readonly number[]; whole: boolean; start: number; end: number }>();
  const hookOfCell = cells.map((cell) => {
    if (cell.pos !== undefined && cell.pos > metricPosition) return undefined;
    const name = hookOf(cell);
    const [a, b] = [source.get(name), base.get(name)];
    if (!a || !b || a.join() !== b.join()) return undefined;
    const axis = posAxis.get(name) ?? -1;
    if (cell.pos !== undefined && !(axis >= 0 && Number.isInteger(cell.pos) && cell.pos >= 0 && cell.pos < a[axis])) return undefined;
    const need = needs.get(name) ?? { shape: a, whole: false, start: Infinity, end: -Infinity };
    if (cell.pos === undefined) need.whole = true;
    else [need.start, need.end] = [Math.min(need.start, cell.pos), Math.max(need.end, cell.pos + 1)];
    needs.set(name, need);
    return name;
  });
  const reads: SkipRead[] = [];
  const readIndex = new Map<string, number>();
  for (const [name, need] of needs) {
    const axis = posAxis.get(name) ?? -1;
    const entire = need.whole || (need.start === 0 && need.end === need.shape[axis]);
    readIndex.set(name, reads.length);
    reads.push(
      entire
        ? { hook: name, shape: need.shape }
        : { hook: name, span: { axis, start: need.start, end: need.end }, shape: need.shape.map((s, i) => (i === axis ? need.end - need.start : s)) },
    );
  }
  return { reads, readOfCell: Int32Array.from(hookOfCell, (name) => (name === undefined ? -1 : readIndex.get(name)!)) };
}

/**
 * Indices of the cells whose patch is a no-op: the source and base values the plan read for the
 * cell (`source[k]`, `base[k]` for read k) agree bit for bit over the cell's position, or
 * everywhere for a cell without one.
 */
export function unchangedCells(
  cells: readonly PatchCell[],
  points: readonly HookPoint[],
  plan: SkipPlan,
  source: readonly Float32Array[],
  base: readonly Float32Array[],
): Set<number> {
  const posAxis = new Map(points.map((p) => [p.name, p.axes.indexOf('pos')]));
  const out = new Set<number>();
  cells.forEach((cell, i) => {
    const k = plan.readOfCell[i];
    if (k < 0) return;
    const read = plan.reads[k];
    const same = cell.pos === undefined
      ? sameBits(source[k], base[k])
      : sameAt(read.shape, source[k], base[k], posAxis.get(read.hook)!, cell.pos - (read.span?.start ?? 0));
    if (same) out.add(i);
  });
  return out;
}
