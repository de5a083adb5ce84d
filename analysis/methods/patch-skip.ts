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
 */
import type { HookPoint } from '../hooks/points.ts';
import type { PatchCell } from './patch-cells.ts';

/** A captured hook value on the host. */
export interface HostValue {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Whether a and b hold the same bits (so −0 ≠ +0, and NaN equals only the same NaN). */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Whether position `pos` (along axis `axis`) of a and b holds the same bits. */
function samePosition(a: HostValue, b: HostValue, axis: number, pos: number): boolean {
  const size = a.shape[axis];
  if (!(pos >= 0 && pos < size)) return false;
  const inner = a.shape.slice(axis + 1).reduce((p, s) => p * s, 1);
  const outer = a.shape.slice(0, axis).reduce((p, s) => p * s, 1);
  for (let o = 0; o < outer; o++) {
    const start = (o * size + pos) * inner;
    if (!sameBits(a.data.subarray(start, start + inner), b.data.subarray(start, start + inner))) return false;
  }
  return true;
}

/**
 * Indices of the cells whose patch is a no-op: the source and base values of the cell's hook
 * agree bit for bit over the cell's position (or everywhere, for a cell without one). A hook
 * missing from either run, of another shape, or without a `pos` axis for a cell with a position
 * is never skipped.
 */
export function unchangedCells(
  cells: readonly PatchCell[],
  hookOf: (cell: PatchCell) => string,
  points: readonly HookPoint[],
  source: ReadonlyMap<string, HostValue>,
  base: ReadonlyMap<string, HostValue>,
): Set<number> {
  const posAxis = new Map(points.map((p) => [p.name, p.axes.indexOf('pos')]));
  const out = new Set<number>();
  cells.forEach((cell, i) => {
    const name = hookOf(cell);
    const [a, b] = [source.get(name), base.get(name)];
    if (!a || !b || a.shape.join() !== b.shape.join()) return;
    if (cell.pos === undefined) {
      if (sameBits(a.data, b.data)) out.add(i);
      return;
    }
    const axis = posAxis.get(name) ?? -1;
    if (axis >= 0 && samePosition(a, b, axis, cell.pos)) out.add(i);
  });
  return out;
}
