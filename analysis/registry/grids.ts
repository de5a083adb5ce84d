/** View helpers for [layer][head] grids, the commonest result shape of head-level methods. */
import type { GridView } from './views.ts';
import { rangeLabels } from './views.ts';
import { num } from './common.ts';

export type HeadGrid = (number | null)[][];

export function headGrid(grid: readonly (readonly number[])[]): HeadGrid {
  return grid.map((row) => row.map(num));
}

export function headGridView(title: string, grid: HeadGrid, zTitle: string, signed: boolean, layers?: readonly number[]): GridView {
  return {
    kind: 'grid',
    title,
    x: { title: 'head', labels: rangeLabels(grid[0]?.length ?? 0, 'H') },
    y: { title: 'layer', labels: layers ? layers.map((l) => `L${l}`) : rangeLabels(grid.length, 'L') },
    z: grid,
    zTitle,
    signed,
  };
}

/** A type alias, not an interface: results must be assignable to Json, which needs an index signature. */
export type RankedHead = { layer: number; head: number; score: number };

/** Heads by descending score (nulls last); `layers` maps grid rows to layer numbers. */
export function rankHeads(grid: HeadGrid, k: number, layers?: readonly number[]): RankedHead[] {
  const all: RankedHead[] = [];
  grid.forEach((row, r) => row.forEach((score, head) => score !== null && all.push({ layer: layers ? layers[r] : r, head, score })));
  return all.sort((a, b) => b.score - a.score || a.layer - b.layer || a.head - b.head).slice(0, k);
}
