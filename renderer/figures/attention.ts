/**
 * Attention figures: one head's pattern (query × key, hover shows both tokens; long prompts
 * binned, zoom re-bins from full data) and the layer × head grid of small multiples (click a
 * head to open it).
 */
import type { Annotation, Data, Layout, Shape } from 'plotly.js-dist-min';
import type { Table } from '../export/table.ts';
import { positionTokenLabel, tokenLabel } from '../../analysis/formats/token-label.ts';
import type { AttentionResult, TokenInfo } from '../worker/contracts.ts';
import { SEQUENTIAL } from '../../notebooks/figures/colorscales.ts';
import type { Window } from './downsample.ts';
import { binMatrix, fullWindow } from './downsample.ts';
import type { FigureSpec } from './spec.ts';
import { themedLayout } from './spec.ts';

/** Cells per axis drawn at most for one head (beyond this, bins; zoom for detail). */
export const HEAD_MAX_CELLS = 160;
/** Cells per axis of each small multiple in the grid. */
export const GRID_MAX_CELLS = 32;
/** Show token strings as tick labels up to this many positions. */
const TOKEN_TICKS_UP_TO = 40;

export function headPattern(result: AttentionResult, layer: number, head: number): Float32Array {
  const size = result.pos * result.pos;
  const offset = (layer * result.nHeads + head) * size;
  return result.patterns.subarray(offset, offset + size);
}

function binLabel(tokens: readonly TokenInfo[], start: number, end: number): string {
  if (end - start === 1) return `${start} ${tokenLabel(tokens[start]?.text ?? '')}`;
  return `${start}–${end - 1}`;
}

export function headPatternFigure(
  result: AttentionResult,
  tokens: readonly TokenInfo[],
  layer: number,
  head: number,
  window: Window = fullWindow(result.pos, result.pos),
): FigureSpec {
  const binned = binMatrix(headPattern(result, layer, head), result.pos, window, HEAD_MAX_CELLS, HEAD_MAX_CELLS, 'max');
  const centers = (edges: number[]) => edges.slice(0, -1).map((e, i) => (e + edges[i + 1] - 1) / 2);
  const x = centers(binned.colEdges);
  const y = centers(binned.rowEdges);
  const hover = binned.z.map((row, i) =>
    row.map(
      (_, j) =>
        `query ${binLabel(tokens, binned.rowEdges[i], binned.rowEdges[i + 1])}<br>key ${binLabel(tokens, binned.colEdges[j], binned.colEdges[j + 1])}`,
    ),
  );
  const trace: Data = {
    type: 'heatmap',
    z: binned.z,
    x,
    y,
    text: hover,
    hovertemplate: '%{text}<br>attention %{z:.3f}<extra></extra>',
    colorscale: SEQUENTIAL,
    zmin: 0,
    zmax: 1,
    xgap: 0,
    ygap: 0,
    colorbar: { title: { text: 'attention', side: 'right' }, thickness: 12, outlinewidth: 0 },
  };
  const ticks = (lo: number, hi: number) =>
    hi - lo <= TOKEN_TICKS_UP_TO
      ? {
          tickmode: 'array' as const,
          tickvals: Array.from({ length: hi - lo }, (_, i) => lo + i),
          ticktext: Array.from({ length: hi - lo }, (_, i) => positionTokenLabel(lo + i, tokens[lo + i]?.text ?? '')),
        }
      : {};
  return {
    data: [trace],
    layout: themedLayout({
      title: { text: `Layer ${layer}, head ${head}${binned.reduced ? ' (binned: zoom for detail)' : ''}`, font: { size: 13 } },
      xaxis: { title: { text: 'key position' }, ...ticks(window.c0, window.c1), tickangle: -60, showgrid: false, automargin: true },
      yaxis: { title: { text: 'query position' }, ...ticks(window.r0, window.r1), autorange: 'reversed', showgrid: false, automargin: true },
      margin: { l: 96, r: 24, t: 40, b: 96 },
    }),
  };
}

/** Grid cell size in pixels (each head a square small multiple). */
export const GRID_CELL_PX = 92;

export function headGridFigure(result: AttentionResult, selected: { layer: number; head: number } | null): FigureSpec {
  const { nLayers, nHeads, pos } = result;
  const data: Data[] = [];
  const layout: Partial<Layout> = {
    grid: { rows: nLayers, columns: nHeads, pattern: 'independent', xgap: 0.08, ygap: 0.08 },
    showlegend: false,
    margin: { l: 44, r: 12, t: 28, b: 12 },
    width: nHeads * GRID_CELL_PX + 56,
    height: nLayers * GRID_CELL_PX + 40,
  };
  const annotations: Partial<Annotation>[] = [];
  const shapes: Partial<Shape>[] = [];
  const record = layout as Record<string, unknown>;
  for (let l = 0; l < nLayers; l++) {
    for (let h = 0; h < nHeads; h++) {
      const n = l * nHeads + h + 1;
      const suffix = n === 1 ? '' : String(n);
      const binned = binMatrix(headPattern(result, l, h), pos, fullWindow(pos, pos), GRID_MAX_CELLS, GRID_MAX_CELLS, 'max');
      data.push({
        type: 'heatmap',
        z: binned.z,
        xaxis: `x${suffix}`,
        yaxis: `y${suffix}`,
        colorscale: SEQUENTIAL,
        zmin: 0,
        zmax: 1,
        showscale: false,
        hovertemplate: `L${l}H${h}<extra></extra>`,
      });
      // Axis objects are keyed xaxis, xaxis2, …: not expressible in Layout's static type.
      record[`xaxis${suffix}`] = { visible: false, fixedrange: true };
      record[`yaxis${suffix}`] = { visible: false, fixedrange: true, autorange: 'reversed' };
      if (selected?.layer === l && selected.head === h) {
        // A frame around the open head.
        shapes.push({
          type: 'rect',
          xref: `x${suffix} domain` as Shape['xref'],
          yref: `y${suffix} domain` as Shape['yref'],
          x0: -0.06,
          x1: 1.06,
          y0: -0.06,
          y1: 1.06,
          line: { color: '#2f5bea', width: 2 },
        });
      }
    }
  }
  for (let h = 0; h < nHeads; h++) {
    annotations.push({ xref: `x${h === 0 ? '' : h + 1} domain` as Annotation['xref'], yref: 'paper', x: 0.5, y: 1, yanchor: 'bottom', text: `H${h}`, showarrow: false, font: { size: 11, color: '#667085' } });
  }
  for (let l = 0; l < nLayers; l++) {
    const n = l * nHeads + 1;
    annotations.push({ xref: 'paper', yref: `y${n === 1 ? '' : n} domain` as Annotation['yref'], x: 0, xanchor: 'right', y: 0.5, text: `L${l}`, showarrow: false, xshift: -6, font: { size: 11, color: '#667085' } });
  }
  layout.annotations = annotations;
  layout.shapes = shapes;
  return { data, layout: themedLayout(layout) };
}

/** Which head a click on the grid hit: trace n is layer ⌊n / heads⌋, head n mod heads. */
export function gridHeadAt(result: AttentionResult, curveNumber: number): { layer: number; head: number } {
  return { layer: Math.floor(curveNumber / result.nHeads), head: curveNumber % result.nHeads };
}

/** The exported data of one head: one row per (query, key) pair in the causal window. */
export function headPatternTable(result: AttentionResult, tokens: readonly TokenInfo[], layer: number, head: number): Table {
  const pattern = headPattern(result, layer, head);
  const rows: (string | number)[][] = [];
  for (let q = 0; q < result.pos; q++) {
    for (let k = 0; k <= q; k++) rows.push([layer, head, q, tokens[q]?.text ?? '', k, tokens[k]?.text ?? '', pattern[q * result.pos + k]]);
  }
  return { columns: ['layer', 'head', 'query_pos', 'query_token', 'key_pos', 'key_token', 'attention'], rows };
}

/** Every head's pattern as one table: (layer, head, query, key, attention) over the causal window. */
export function gridPatternTable(result: AttentionResult): Table {
  const rows: number[][] = [];
  const { nLayers, nHeads, pos, patterns } = result;
  for (let l = 0; l < nLayers; l++)
    for (let h = 0; h < nHeads; h++)
      for (let q = 0; q < pos; q++) for (let k = 0; k <= q; k++) rows.push([l, h, q, k, patterns[((l * nHeads + h) * pos + q) * pos + k]]);
  return { columns: ['layer', 'head', 'query_pos', 'key_pos', 'attention'], rows };
}
