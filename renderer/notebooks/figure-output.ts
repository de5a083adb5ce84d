/**
 * A figure cell's output in the app: its Plotly JSON (notebooks/figures/plotly.ts, the same
 * spec the report and the CLI draw) in the app's house style, and the app's exports of it
 * (SVG/PNG through the figure card, CSV of the numbers it shows, JSON of the step's result
 * with its parameters).
 */
import type { Data, Layout } from 'plotly.js-dist-min';
import type { Json } from '../../analysis/json.ts';
import type { CellOutput } from '../../notebooks/runner.ts';
import type { FigureExport } from '../figures/ExportBar.tsx';
import type { FigureSpec } from '../figures/spec.ts';
import { themedLayout } from '../figures/spec.ts';
import { safeFileName } from '../export/download.ts';

export type FigureOutput = Extract<CellOutput, { kind: 'figure' }>;
export type AnalysisOutput = Extract<CellOutput, { kind: 'analysis' }>;

export function figureSpec(output: FigureOutput): FigureSpec {
  // The notebook's figures are Plotly JSON built by notebooks/figures/plotly.ts: traces and a
  // layout of Plotly's own schema, typed there as JSON. Drawn at the size the notebook asks for
  // (so the export bar's default size is the notebook's), in the app's type and axis style.
  const { font: _font, ...layout } = output.figure.layout;
  return { data: output.figure.data as unknown as Data[], layout: themedLayout(layout as Partial<Layout>) };
}

export function figureExports(notebookTitle: string, output: FigureOutput, step: AnalysisOutput | null, params: Json | undefined): FigureExport {
  return {
    name: safeFileName(`${notebookTitle}-${output.index + 1}-${output.of}-${output.view}`),
    table: () => output.table,
    json: () => ({
      notebook: notebookTitle,
      cell: output.index + 1,
      of: output.of,
      view: output.view,
      type: output.type,
      method: step?.method ?? null,
      params: params ?? null,
      key: step?.key ?? null,
      result: step?.result ?? null,
    }),
  };
}

export function figureTitle(output: FigureOutput): string {
  const title = output.figure.layout.title;
  const text = typeof title === 'object' && title !== null && !Array.isArray(title) ? title.text : undefined;
  // Plotly titles are entity-escaped (plotlyText); the card shows text, so undo the three escapes.
  return typeof text === 'string' ? text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&') : `${output.of}: ${output.view}`;
}
