/**
 * Heatmaps (diverging for signed values, centred on 0; sequential otherwise) and bars for the
 * model comparison figures (model-compare.ts: two checkpoints, not a registry method). Method
 * results are drawn by the one figure layer (method-figure.ts), not here.
 */
import type { Data } from 'plotly.js-dist-min';
import { DIVERGING, SEQUENTIAL, symmetricLimits } from '../../notebooks/figures/colorscales.ts';
import type { FigureSpec } from './spec.ts';
import { themedLayout } from './spec.ts';

export type Scale = 'diverging' | 'sequential';

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
  /** [row][col] extra hover lines. */
  readonly hover?: readonly (readonly string[])[];
  readonly height?: number;
}

function finite(z: readonly (readonly number[])[]): number[] {
  return z.flat().filter((v) => Number.isFinite(v));
}

export function heatmap(o: HeatmapOptions): FigureSpec {
  const values = finite(o.z);
  // Signed: symmetric limits around 0; unsigned: from 0 to the largest value.
  const limits = o.scale === 'diverging' ? symmetricLimits(values) : { zmin: Math.min(0, ...values), zmax: Math.max(1e-9, ...values) };
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
  };
  return {
    data: [trace],
    layout: themedLayout({
      title: { text: o.title, font: { size: 13 } },
      xaxis: { title: { text: o.xTitle ?? '' }, type: 'category', showgrid: false, automargin: true, tickangle: o.x.length > 12 ? -60 : 0 },
      yaxis: { title: { text: o.yTitle ?? '' }, type: 'category', showgrid: false, automargin: true, autorange: 'reversed' },
      ...(o.height ? { height: o.height } : {}),
    }),
  };
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
