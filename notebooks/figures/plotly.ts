/**
 * A view drawn as a Plotly figure: `{data, layout}` as plain JSON, so the same spec renders in
 * the app, in the HTML report and in the headless exporter. Signed values use a diverging,
 * colour-blind-safe scale (ColorBrewer RdBu) centred on 0, unsigned ones a white-to-blue scale:
 * the same scales as the app's figures (colorscales.ts).
 */
import type { Json, JsonObject } from '../../analysis/json.ts';
import { DIVERGING, SEQUENTIAL, SEQUENTIAL_REVERSED } from './colorscales.ts';
import type { FigureOptions } from './options.ts';
import { graphAxes, graphTraces } from './graph.ts';
import { viewToTable } from './table.ts';
import { plotlyText } from '../../analysis/formats/token-label.ts';
import type { FigureType, GridView, ScatterView, View } from '../../analysis/registry/views.ts';

export interface PlotlyFigure {
  readonly data: JsonObject[];
  readonly layout: JsonObject;
}

/**
 * Control characters and unpaired surrogates cannot appear in SVG (XML 1.0) at all: a byte token
 * such as "\x1a" in a label made Plotly's image export throw. They are written as visible escapes.
 */
/**
 * Plotly reads a small HTML subset in every label, title and cell (`<b>`, `<a href>`, `<br>` …),
 * so text from prompts and tokens is escaped by the one function the app's figures use too.
 */
export { plotlyText };

const texts = (xs: readonly string[]) => xs.map(plotlyText);

/** Characters of 10 px cell text that fit one of `columns` cells in a figure `width` px wide (margins and colour bar ≈ 180 px). */
export function cellTextChars(columns: number, width: number): number {
  return Math.floor((width - 180) / Math.max(1, columns) / 6);
}

function cut(text: string, chars: number): string {
  const c = [...text];
  return c.length <= chars ? text : `${c.slice(0, Math.max(1, chars - 1)).join('')}…`;
}

function heatmap(view: GridView, options: FigureOptions): JsonObject {
  const chars = cellTextChars(view.x.labels.length, options.width ?? 720);
  const diverging = options.colorscale === 'diverging' || ((options.colorscale ?? 'auto') === 'auto' && view.signed);
  const hasText = view.text !== undefined;
  const hover = view.hover ?? view.text;
  return {
    type: 'heatmap',
    x: texts(view.x.labels),
    y: texts(view.y.labels),
    z: view.z.map((row) => [...row]),
    // Cell text cut to what fits the figure's width (none below 3 characters); hover has it whole.
    ...(hasText ? { text: view.text!.map((row) => row.map((t) => plotlyText(cut(t, chars)))) } : {}),
    ...(hover ? { customdata: hover.map(texts) } : {}),
    ...(hasText && options.showText !== false && chars >= 3 ? { texttemplate: '%{text}', textfont: { size: 10 } } : {}),
    hovertemplate: `${plotlyText(view.y.title)} %{y}<br>${plotlyText(view.x.title)} %{x}<br>${plotlyText(view.zTitle)} %{z:.4g}${hover ? '<br>%{customdata}' : ''}<extra></extra>`,
    colorscale: (diverging ? DIVERGING : view.smallIsStrong ? SEQUENTIAL_REVERSED : SEQUENTIAL) as Json,
    ...(diverging ? { zmid: 0 } : {}),
    ...(view.range ? { zmin: view.range[0], zmax: view.range[1] } : {}),
    colorbar: { title: { text: plotlyText(view.zTitle) } },
    xgap: 1,
    ygap: 1,
  };
}

function traces(view: View, type: 'bar' | 'line'): JsonObject[] {
  const series =
    view.kind === 'grid'
      ? { x: view.x.labels, traces: view.y.labels.map((name, r) => ({ name, values: view.z[r] })) }
      : view.kind === 'series'
        ? { x: view.x.labels, traces: view.traces }
        : null;
  if (!series) throw new Error(`a ${view.kind} view cannot be drawn as a ${type} chart`);
  return series.traces.map((t) => ({
    type: type === 'bar' ? 'bar' : 'scatter',
    ...(type === 'line' ? { mode: 'lines+markers' } : {}),
    name: plotlyText(t.name),
    x: texts(series.x),
    y: [...t.values],
  }));
}

/** One marker per point over the dotted line y = x (points on it: the two quantities agree). */
function scatter(view: ScatterView): JsonObject[] {
  const { x: a, y: b } = view;
  const finite = [...a.values, ...b.values].filter((v): v is number => v !== null && Number.isFinite(v));
  const lo = Math.min(0, ...finite);
  const hi = Math.max(0, ...finite);
  return [
    { type: 'scatter', mode: 'lines', x: [lo, hi], y: [lo, hi], line: { color: '#c9ced8', dash: 'dot', width: 1 }, hoverinfo: 'skip', showlegend: false },
    {
      type: 'scatter',
      mode: 'markers',
      x: [...a.values],
      y: [...b.values],
      text: texts(view.points.labels),
      marker: { size: 7, opacity: 0.75 },
      hovertemplate: `%{text}<br>${plotlyText(a.title)} %{x:.4g}<br>${plotlyText(b.title)} %{y:.4g}<extra></extra>`,
      showlegend: false,
    },
  ];
}

function table(view: View): JsonObject {
  const t = viewToTable(view);
  const fmt = (v: string | number | null) => (v === null ? '' : typeof v === 'number' ? Number(v.toPrecision(5)) : plotlyText(v));
  return {
    type: 'table',
    header: { values: texts(t.columns), align: 'left', fill: { color: '#e8e8e8' } },
    cells: { values: t.columns.map((_, c) => t.rows.map((row) => fmt(row[c] ?? null))), align: 'left' },
  };
}

export function toPlotly(view: View, type: FigureType, options: FigureOptions = {}): PlotlyFigure {
  let data: JsonObject[];
  if (type === 'heatmap') {
    if (view.kind !== 'grid') throw new Error(`a ${view.kind} view cannot be drawn as a heatmap`);
    data = [heatmap(view, options)];
  } else if (type === 'table') {
    data = [table(view)];
  } else if (type === 'scatter') {
    if (view.kind !== 'scatter') throw new Error(`a ${view.kind} view cannot be drawn as a scatter plot`);
    data = scatter(view);
  } else if (type === 'graph') {
    if (view.kind !== 'graph') throw new Error(`a ${view.kind} view cannot be drawn as a graph`);
    data = graphTraces(view, plotlyText);
  } else {
    data = traces(view, type);
  }
  const axes: JsonObject =
    view.kind === 'table' || type === 'table'
      ? {}
      : view.kind === 'graph'
        ? graphAxes(view, plotlyText)
      : view.kind === 'scatter'
        ? { xaxis: { title: { text: plotlyText(view.x.title) } }, yaxis: { title: { text: plotlyText(view.y.title) } } }
      : view.kind === 'grid' && type === 'heatmap'
        ? // automargin: long tick labels (tokens) push the axis title out instead of under it.
          { xaxis: { title: { text: plotlyText(view.x.title) }, type: 'category', automargin: true }, yaxis: { title: { text: plotlyText(view.y.title) }, type: 'category', autorange: 'reversed', automargin: true } }
        : { xaxis: { title: { text: plotlyText(view.x.title) }, type: 'category' }, yaxis: { title: { text: plotlyText(view.kind === 'grid' ? view.zTitle : view.yTitle) } } };
  // A static export shows only the rows that fit, so tables get room for every row by default.
  const rows = type === 'table' ? viewToTable(view).rows.length : 0;
  return {
    data,
    layout: {
      title: { text: plotlyText(options.title ?? view.title) },
      width: options.width ?? 720,
      height: options.height ?? (type === 'table' ? Math.min(4000, 140 + 36 * rows) : 480),
      margin: type === 'table' ? { l: 20, r: 20, t: 60, b: 20 } : { l: 90, r: 30, t: 60, b: 90 },
      font: { family: 'Helvetica, Arial, sans-serif', size: 12 },
      ...(type === 'bar' ? { barmode: 'group' } : {}),
      ...axes,
    },
  };
}
