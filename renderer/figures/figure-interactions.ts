/**
 * Interactions layered on a figure-layer figure (method-figure.ts): where a click landed, as the
 * view's own cell (indices and labels of the view, not of the drawn, escaped Plotly text), and a
 * frame around a chosen cell drawn over the same figure. The figure's data stay the layer's.
 */
import type { FigureType, View } from '../../analysis/registry/views.ts';
import type { FigureSpec } from './spec.ts';

/** A cell of a view: grids (row y, column x), series (trace y, point x). */
export interface ViewCell {
  readonly x: number;
  readonly y: number;
  readonly xLabel: string;
  readonly yLabel: string;
}

/** The fields of a Plotly click point this module reads (PlotDatum, loosely: heatmaps give [row, col]). */
export interface ClickPoint {
  readonly curveNumber?: unknown;
  readonly pointIndex?: unknown;
  readonly pointNumber?: unknown;
}

function pair(v: unknown): [number, number] | null {
  return Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'number' ? [v[0], v[1]] : null;
}

/** The view cell a click on its figure hit, or null (tables, graphs, clicks off the data). */
export function viewCellAt(view: View, type: FigureType, point: ClickPoint): ViewCell | null {
  if (view.kind === 'grid' && type === 'heatmap') {
    const rc = pair(point.pointIndex) ?? pair(point.pointNumber);
    if (!rc) return null;
    const [y, x] = rc;
    if (y < 0 || y >= view.y.labels.length || x < 0 || x >= view.x.labels.length) return null;
    return { x, y, xLabel: view.x.labels[x], yLabel: view.y.labels[y] };
  }
  if ((type === 'bar' || type === 'line') && (view.kind === 'grid' || view.kind === 'series')) {
    const trace = point.curveNumber;
    const index = typeof point.pointIndex === 'number' ? point.pointIndex : point.pointNumber;
    if (typeof trace !== 'number' || typeof index !== 'number') return null;
    const names = view.kind === 'grid' ? view.y.labels : view.traces.map((t) => t.name);
    if (trace < 0 || trace >= names.length || index < 0 || index >= view.x.labels.length) return null;
    return { x: index, y: trace, xLabel: view.x.labels[index], yLabel: names[trace] };
  }
  return null;
}

/**
 * The figure with a frame around one heatmap cell (the head or cell a drill-down shows). Category
 * axes place cell i at coordinate i, so the frame spans i ± 0.5.
 */
export function withCellFrame(spec: FigureSpec, cell: { readonly x: number; readonly y: number } | null): FigureSpec {
  if (!cell) return spec;
  const frame = { type: 'rect' as const, xref: 'x' as const, yref: 'y' as const, x0: cell.x - 0.5, x1: cell.x + 0.5, y0: cell.y - 0.5, y1: cell.y + 0.5, line: { color: '#111827', width: 2 } };
  return { data: spec.data, layout: { ...spec.layout, shapes: [...(spec.layout.shapes ?? []), frame] } };
}
