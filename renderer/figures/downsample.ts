/**
 * Long sequences stay usable: a [rows, cols] matrix larger than the screen can show is reduced
 * to at most maxRows × maxCols bins for drawing, and a zoomed window is re-binned from the full
 * data, so zooming in reveals full resolution.
 */

export interface Bins {
  /** Start index of each bin, plus the end: bins[i]..bins[i+1]. */
  readonly edges: number[];
}

export interface Window {
  readonly r0: number;
  readonly r1: number;
  readonly c0: number;
  readonly c1: number;
}

export interface Binned {
  /** [row bin][col bin] reduced values (NaN where every value in the bin is NaN). */
  readonly z: number[][];
  readonly rowEdges: number[];
  readonly colEdges: number[];
  /** True when any bin holds more than one value. */
  readonly reduced: boolean;
}

/** Edges of at most `max` near-equal bins over [start, end). */
export function binEdges(start: number, end: number, max: number): number[] {
  const n = end - start;
  const count = Math.max(1, Math.min(n, max));
  return Array.from({ length: count + 1 }, (_, i) => start + Math.round((i * n) / count));
}

/**
 * 'max' keeps peaks visible (attention), 'maxabs' keeps the signed value of largest magnitude
 * (effects), 'mean' averages.
 */
export type Reduce = 'mean' | 'max' | 'maxabs';

export function binMatrix(
  data: ArrayLike<number>,
  cols: number,
  window: Window,
  maxRows: number,
  maxCols: number,
  reduce: Reduce = 'mean',
): Binned {
  const rowEdges = binEdges(window.r0, window.r1, maxRows);
  const colEdges = binEdges(window.c0, window.c1, maxCols);
  const z: number[][] = [];
  for (let bi = 0; bi + 1 < rowEdges.length; bi++) {
    const row: number[] = [];
    for (let bj = 0; bj + 1 < colEdges.length; bj++) {
      let acc = reduce === 'mean' ? 0 : NaN;
      let n = 0;
      for (let r = rowEdges[bi]; r < rowEdges[bi + 1]; r++) {
        for (let c = colEdges[bj]; c < colEdges[bj + 1]; c++) {
          const v = data[r * cols + c];
          if (Number.isNaN(v)) continue;
          n++;
          if (reduce === 'mean') acc += v;
          else if (reduce === 'max') acc = Number.isNaN(acc) || v > acc ? v : acc;
          else acc = Number.isNaN(acc) || Math.abs(v) > Math.abs(acc) ? v : acc;
        }
      }
      row.push(n === 0 ? NaN : reduce === 'mean' ? acc / n : acc);
    }
    z.push(row);
  }
  const reduced = rowEdges.length - 1 < window.r1 - window.r0 || colEdges.length - 1 < window.c1 - window.c0;
  return { z, rowEdges, colEdges, reduced };
}

/** The whole matrix as a window. */
export function fullWindow(rows: number, cols: number): Window {
  return { r0: 0, r1: rows, c0: 0, c1: cols };
}

/**
 * The index window an axis range covers (Plotly ranges are in data coordinates where cell i
 * spans [i − 0.5, i + 0.5]); null range = everything.
 */
export function windowFromRange(range: readonly [number, number] | null, length: number): [number, number] {
  if (!range) return [0, length];
  const lo = Math.max(0, Math.floor(Math.min(range[0], range[1]) + 0.5));
  const hi = Math.min(length, Math.ceil(Math.max(range[0], range[1]) + 0.5));
  return hi > lo ? [lo, hi] : [0, length];
}
