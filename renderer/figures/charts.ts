/**
 * Generic figure builders shared by the method views: heatmaps (diverging for signed values,
 * centred on 0; sequential otherwise), [layer × head] grids, bars, lines and scatter plots.
 * Pure functions from numbers and labels to a FigureSpec.
 */
import type { Data } from 'plotly.js-dist-min';
import { DIVERGING, SEQUENTIAL, symmetricLimits } from '../../notebooks/figures/colorscales.ts';
import type { FigureSpec } from './spec.ts';
import { themedLayout } from './spec.ts';

export type Scale = 'diverging' | 'sequential';

/** [−m, m] with m the largest finite |value| (for figures that must share one colour range). */
export function symmetricRange(values: Iterable<number>): [number, number] {
  const { zmin, zmax } = symmetricLimits(values);
  return [zmin, zmax];
}

export interface HeatmapOptions {
  /** [row][col]; NaN cells are left blank. */
  readonly z: readonly (readonly number[])[];
  readonly x: readonly (string | number)[];
  readonly y: readonly (string | number)[];
  readonly title: string;
  readonly xTitle?: string;
  readonly yTitle?: string;
  readonly valueLabel: string;
  readonly scale: Scale;
  /** Fixed colour range (default: symmetric max-abs for diverging, data range for sequential). */
  readonly range?: readonly [number, number];
  /** [row][col] extra hover lines. */
  readonly hover?: readonly (readonly string[])[];
  /** Write values in the cells (small grids). */
  readonly annotate?: boolean;
  /** Rows top to bottom in the given order (default true: layer 0 on top). */
  readonly reversed?: boolean;
  /** Highlight one cell with a frame. */
  readonly selected?: { readonly row: number; readonly col: number } | null;
  readonly height?: number;
}

function finite(z: readonly (readonly number[])[]): number[] {
  return z.flat().filter((v) => Number.isFinite(v));
}

function format(v: number): string {
  if (!Number.isFinite(v)) return '';
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
}

export function heatmap(o: HeatmapOptions): FigureSpec {
  const values = finite(o.z);
  const limits =
    o.range !== undefined
      ? { zmin: o.range[0], zmax: o.range[1], ...(o.scale === 'diverging' ? { zmid: 0 } : {}) }
      : o.scale === 'diverging'
        ? symmetricLimits(values)
        : { zmin: Math.min(0, ...values), zmax: Math.max(1e-9, ...values) };
  const categorical = (labels: readonly (string | number)[]) => labels.map(String);
  const hovertext = o.z.map((row, i) =>
    row.map((v, j) => `${o.yTitle ?? 'row'} ${o.y[i]} · ${o.xTitle ?? 'col'} ${o.x[j]}<br>${o.valueLabel}: ${Number.isFinite(v) ? v.toPrecision(4) : 'n/a'}${o.hover ? `<br>${o.hover[i][j]}` : ''}`),
  );
  const trace: Data = {
    type: 'heatmap',
    z: o.z.map((row) => [...row]),
    x: categorical(o.x),
    y: categorical(o.y),
    hovertext,
    hovertemplate: '%{hovertext}<extra></extra>',
    colorscale: o.scale === 'diverging' ? DIVERGING : SEQUENTIAL,
    ...limits,
    xgap: 1,
    ygap: 1,
    colorbar: { title: { text: o.valueLabel, side: 'right' }, thickness: 12, outlinewidth: 0 },
    ...(o.annotate ? { text: o.z.map((row) => row.map(format)), texttemplate: '%{text}', textfont: { size: 10 } } : {}),
  };
  const shapes = o.selected
    ? [{ type: 'rect' as const, xref: 'x' as const, yref: 'y' as const, x0: o.selected.col - 0.5, x1: o.selected.col + 0.5, y0: o.selected.row - 0.5, y1: o.selected.row + 0.5, line: { color: '#111827', width: 2 } }]
    : [];
  return {
    data: [trace],
    layout: themedLayout({
      title: { text: o.title, font: { size: 13 } },
      xaxis: { title: { text: o.xTitle ?? '' }, type: 'category', showgrid: false, automargin: true, tickangle: o.x.length > 12 ? -60 : 0 },
      yaxis: { title: { text: o.yTitle ?? '' }, type: 'category', showgrid: false, automargin: true, autorange: o.reversed === false ? true : 'reversed' },
      shapes,
      ...(o.height ? { height: o.height } : {}),
    }),
  };
}

/** A [layer × head] grid (rows L0…, columns H0…), the shape of most per-head results. */
export function headGrid(o: Omit<HeatmapOptions, 'x' | 'y' | 'xTitle' | 'yTitle'> & { readonly selectedHead?: { layer: number; head: number } | null }): FigureSpec {
  const layers = o.z.length;
  const heads = o.z[0]?.length ?? 0;
  return heatmap({
    ...o,
    x: Array.from({ length: heads }, (_, h) => `H${h}`),
    y: Array.from({ length: layers }, (_, l) => `L${l}`),
    xTitle: 'head',
    yTitle: 'layer',
    annotate: o.annotate ?? layers * heads <= 200,
    selected: o.selectedHead ? { row: o.selectedHead.layer, col: o.selectedHead.head } : null,
    height: o.height ?? Math.max(300, 34 * layers + 150),
  });
}

/**
 * Where a click on a heatmap landed, as (row, col) indices: Plotly gives heatmap points a
 * [row, col] pointIndex; failing that, the clicked category labels are looked up.
 */
export function cellOf(
  point: { x?: unknown; y?: unknown; pointIndex?: unknown },
  labels?: { readonly x: readonly (string | number)[]; readonly y: readonly (string | number)[] },
): { row: number; col: number } | null {
  const index = point.pointIndex;
  if (Array.isArray(index) && typeof index[0] === 'number' && typeof index[1] === 'number') return { row: index[0], col: index[1] };
  if (labels) {
    const col = labels.x.map(String).indexOf(String(point.x));
    const row = labels.y.map(String).indexOf(String(point.y));
    if (row >= 0 && col >= 0) return { row, col };
  }
  return null;
}

export interface BarOptions {
  readonly labels: readonly string[];
  readonly values: readonly number[];
  readonly title: string;
  readonly valueLabel: string;
  readonly horizontal?: boolean;
  readonly hover?: readonly string[];
  readonly height?: number;
}

/** Bars coloured by sign (orange positive, blue negative: the diverging scale's ends). */
export function bars(o: BarOptions): FigureSpec {
  const colors = o.values.map((v) => (v >= 0 ? '#d6604d' : '#4393c3'));
  const trace: Data = o.horizontal
    ? { type: 'bar', orientation: 'h', y: [...o.labels], x: [...o.values], marker: { color: colors }, hovertext: o.hover ? [...o.hover] : undefined, hovertemplate: `%{y}<br>${o.valueLabel}: %{x:.4g}${o.hover ? '<br>%{hovertext}' : ''}<extra></extra>` }
    : { type: 'bar', x: [...o.labels], y: [...o.values], marker: { color: colors }, hovertext: o.hover ? [...o.hover] : undefined, hovertemplate: `%{x}<br>${o.valueLabel}: %{y:.4g}${o.hover ? '<br>%{hovertext}' : ''}<extra></extra>` };
  const valueAxis = { title: { text: o.valueLabel }, zeroline: true, zerolinecolor: '#9aa3b2', automargin: true };
  const labelAxis = { type: 'category' as const, automargin: true, showgrid: false, ...(o.horizontal ? { autorange: 'reversed' as const } : { tickangle: o.labels.length > 16 ? -60 : 0 }) };
  return {
    data: [trace],
    layout: themedLayout({
      title: { text: o.title, font: { size: 13 } },
      xaxis: o.horizontal ? valueAxis : labelAxis,
      yaxis: o.horizontal ? labelAxis : valueAxis,
      bargap: 0.25,
      height: o.height ?? (o.horizontal ? Math.max(320, 18 * o.labels.length + 120) : 380),
    }),
  };
}

export interface LineSeries {
  readonly name: string;
  readonly y: readonly number[];
  readonly dash?: 'solid' | 'dot' | 'dash';
  readonly color?: string;
}

export function lines(o: { x: readonly (string | number)[]; series: readonly LineSeries[]; title: string; xTitle: string; yTitle: string; yRange?: [number, number] }): FigureSpec {
  const palette = ['#2f5bea', '#d6604d', '#7c3aed', '#0f9d76', '#6b7385'];
  return {
    data: o.series.map((s, i) => ({
      type: 'scatter',
      mode: 'lines+markers',
      name: s.name,
      x: [...o.x],
      y: [...s.y],
      line: { color: s.color ?? palette[i % palette.length], dash: s.dash ?? 'solid', width: 2 },
      marker: { size: 6 },
    })),
    layout: themedLayout({
      title: { text: o.title, font: { size: 13 } },
      xaxis: { title: { text: o.xTitle }, type: 'category' },
      yaxis: { title: { text: o.yTitle }, ...(o.yRange ? { range: o.yRange } : {}) },
      legend: { orientation: 'h', y: -0.22 },
      height: 400,
    }),
  };
}

export function scatter(o: { x: readonly number[]; y: readonly number[]; labels: readonly string[]; title: string; xTitle: string; yTitle: string }): FigureSpec {
  const all = [...o.x, ...o.y].filter(Number.isFinite);
  const lo = Math.min(0, ...all);
  const hi = Math.max(0, ...all);
  return {
    data: [
      { type: 'scatter', mode: 'lines', x: [lo, hi], y: [lo, hi], line: { color: '#c9ced8', dash: 'dot', width: 1 }, hoverinfo: 'skip', showlegend: false },
      { type: 'scatter', mode: 'markers', x: [...o.x], y: [...o.y], text: [...o.labels], marker: { size: 7, color: '#2f5bea', opacity: 0.75 }, hovertemplate: `%{text}<br>${o.xTitle}: %{x:.4g}<br>${o.yTitle}: %{y:.4g}<extra></extra>`, showlegend: false },
    ],
    layout: themedLayout({ title: { text: o.title, font: { size: 13 } }, xaxis: { title: { text: o.xTitle } }, yaxis: { title: { text: o.yTitle } }, height: 420 }),
  };
}
