/**
 * Figures of patching-style grids (activation patching, attribution patching): the result's
 * flat row-major values with their axes ([layer, pos], [layer], [layer, pos, head],
 * [layer, head]) turned into a heatmap (or bars), positions labelled with their tokens.
 * [layer, pos, head] is shown as [layer × head] (the signed value of largest magnitude over
 * positions); clicking a head opens its positions.
 */
import type { Table } from '../export/table.ts';
import { positionTokenLabel } from '../../analysis/formats/token-label.ts';
import type { TokenInfo } from '../worker/contracts.ts';
import { bars, heatmap } from './charts.ts';
import type { FigureSpec } from './spec.ts';

export type GridAxis = 'layer' | 'pos' | 'head';

export interface Grid {
  readonly axes: readonly GridAxis[];
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
}

/** The [layer][col] matrix a grid is drawn as, with its column labels. */
export function gridMatrix(g: Grid, tokens: readonly TokenInfo[]): { z: number[][]; x: string[]; xTitle: string } {
  const [L] = g.shape;
  if (g.axes.length === 2) {
    const cols = g.shape[1];
    const z = Array.from({ length: L }, (_, l) => Array.from({ length: cols }, (_, c) => g.values[l * cols + c]));
    const isPos = g.axes[1] === 'pos';
    return { z, x: Array.from({ length: cols }, (_, c) => (isPos ? positionTokenLabel(c, tokens[c]?.text ?? '', 8) : `H${c}`)), xTitle: isPos ? 'position' : 'head' };
  }
  // [layer, pos, head] → [layer][head], the signed max-abs over positions.
  const [, P, H] = g.shape;
  const z = Array.from({ length: L }, (_, l) =>
    Array.from({ length: H }, (_, h) => {
      let best = NaN;
      for (let p = 0; p < P; p++) {
        const v = g.values[(l * P + p) * H + h];
        if (Number.isFinite(v) && (Number.isNaN(best) || Math.abs(v) > Math.abs(best))) best = v;
      }
      return best;
    }),
  );
  return { z, x: Array.from({ length: H }, (_, h) => `H${h}`), xTitle: 'head (max |·| over positions)' };
}

export function gridFigure(g: Grid, tokens: readonly TokenInfo[], title: string, valueLabel: string, range?: readonly [number, number]): FigureSpec {
  if (g.axes.length === 1) {
    return bars({ labels: Array.from({ length: g.shape[0] }, (_, l) => `L${l}`), values: Array.from(g.values), title, valueLabel });
  }
  const m = gridMatrix(g, tokens);
  return heatmap({
    z: m.z,
    x: m.x,
    y: m.z.map((_, l) => `L${l}`),
    title,
    xTitle: m.xTitle,
    yTitle: 'layer',
    valueLabel,
    scale: 'diverging',
    range,
    annotate: m.z.length * m.x.length <= 160 && m.x.length <= 24,
    height: Math.max(320, 36 * m.z.length + 190),
  });
}

/** Values of one (layer, head) across positions of a [layer, pos, head] grid. */
export function headAcrossPositions(g: Grid, layer: number, head: number): number[] {
  const [, P, H] = g.shape;
  return Array.from({ length: P }, (_, p) => g.values[(layer * P + p) * H + head]);
}

/** Values of one position across layers of a [layer, pos] grid. */
export function positionAcrossLayers(g: Grid, pos: number): number[] {
  const [L, P] = g.shape;
  return Array.from({ length: L }, (_, l) => g.values[l * P + pos]);
}

/** Tidy table: one row per cell with its coordinates. */
export function gridTable(g: Grid, tokens: readonly TokenInfo[], columns: readonly { name: string; values: ArrayLike<number> }[]): Table {
  const n = columns[0]?.values.length ?? 0;
  const rows: (string | number)[][] = [];
  for (let i = 0; i < n; i++) {
    const coords: number[] = [];
    let rest = i;
    for (let a = g.shape.length - 1; a >= 0; a--) {
      coords[a] = rest % g.shape[a];
      rest = Math.floor(rest / g.shape[a]);
    }
    const posAxis = g.axes.indexOf('pos');
    rows.push([...coords, ...(posAxis >= 0 ? [tokens[coords[posAxis]]?.text ?? ''] : []), ...columns.map((c) => c.values[i])]);
  }
  const header = [...g.axes, ...(g.axes.includes('pos') ? ['token'] : []), ...columns.map((c) => c.name)];
  return { columns: header, rows };
}

/**
 * A label per cell in row-major order ("L2 13 ·Lily", "L1 H3"): escaped for figures by default,
 * `positionLabel` (plain text) for tables.
 */
export function cellLabels(axes: readonly GridAxis[], shape: readonly number[], tokens: readonly TokenInfo[], labelOf = positionTokenLabel): string[] {
  const n = shape.reduce((a, s) => a * s, 1);
  return Array.from({ length: n }, (_, i) => {
    const coords: number[] = [];
    let rest = i;
    for (let a = shape.length - 1; a >= 0; a--) {
      coords[a] = rest % shape[a];
      rest = Math.floor(rest / shape[a]);
    }
    return axes.map((ax, a) => (ax === 'layer' ? `L${coords[a]}` : ax === 'head' ? `H${coords[a]}` : labelOf(coords[a], tokens[coords[a]]?.text ?? ''))).join(' ');
  });
}
