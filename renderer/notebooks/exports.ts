/**
 * The notebook's downloads: the self-contained HTML report (notebooks/report/html.ts, with the
 * plotly.js bundle the app ships as a file) and the notebook itself as JSON.
 */
import plotlyBundleUrl from 'plotly.js-dist-min/plotly.min.js?url';
import { buildHtmlReport } from '../../notebooks/report/html.ts';
import type { CellOutput } from '../../notebooks/runner.ts';
import type { NotebookInput } from '../../notebooks/schema.ts';
import { NotebookSchema } from '../../notebooks/schema.ts';
import { safeFileName } from '../export/download.ts';

export const NOTEBOOK_EXTENSION = '.probescope-notebook.json';

export function notebookFileName(title: string, extension: string): string {
  return `${safeFileName(title).slice(0, 80)}${extension}`;
}

/** The notebook as a file: what the editor holds, pretty-printed. */
export function notebookJson(doc: NotebookInput): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

let plotlySource: Promise<string> | null = null;

/** plotly.min.js as text (fetched once from the app's own files). */
export function loadPlotlySource(fetchText: (url: string) => Promise<string> = defaultFetch): Promise<string> {
  plotlySource ??= fetchText(new URL(plotlyBundleUrl, document.baseURI).href).catch((e: unknown) => {
    plotlySource = null;
    throw e;
  });
  return plotlySource;
}

async function defaultFetch(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load plotly.js for the report (${response.status} ${response.statusText})`);
  return response.text();
}

export interface ReportRequest {
  readonly doc: NotebookInput;
  /** Every cell's up-to-date output (run-record.ts reportOutputs). */
  readonly outputs: readonly CellOutput[];
  readonly backend: string;
  readonly plotlyJs: string;
  readonly generatedAt: string;
}

export function notebookReport(request: ReportRequest): Promise<string> {
  return buildHtmlReport({
    notebook: NotebookSchema.parse(request.doc),
    outputs: request.outputs,
    plotlyJs: request.plotlyJs,
    backend: request.backend,
    generatedAt: request.generatedAt,
  });
}
