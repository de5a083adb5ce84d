/**
 * Writes a notebook run to a folder (the CLI's --out):
 *
 *   report.html                      self-contained interactive report
 *   results.json                     every step's params, cache key and result
 *   results/<step>.json              one step's result
 *   results/<step>.<view>.csv        every view of every step as a table
 *   figures/<NN>-<step>-<view>.plotly.json   each figure cell's Plotly spec ({data, layout})
 *   figures/<NN>-<step>-<view>.csv           the numbers in that figure
 *   figures/<NN>-<step>-<view>.svg / .png    when a Chromium is available
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tableToCsv, viewToTable } from '../figures/table.ts';
import type { JsonObject } from '../../analysis/json.ts';
import { buildHtmlReport } from '../report/html.ts';
import type { CellOutput, NotebookRun } from '../runner.ts';
import type { NotebookPlan } from '../validate.ts';
import { plotlyBundle } from './plotly-bundle.ts';
import { findChromium, renderFigureImages } from './render-images.ts';

export interface WriteOptions {
  /** 'auto': use a Chromium when one is found; 'off': JSON/CSV/HTML only. */
  readonly images: 'auto' | 'off';
  readonly scale?: number;
  readonly backend: string;
  /** For tests: where to look for Chromium (default findChromium()). */
  readonly chromium?: string | null;
}

export interface WrittenOutputs {
  /** Paths relative to the output folder. */
  readonly files: string[];
  /** Why SVG/PNG were not written, or null when they were (or there were no figures). */
  readonly imagesSkipped: string | null;
}

type FigureOutput = Extract<CellOutput, { kind: 'figure' }>;

function figureName(f: FigureOutput): string {
  return `${String(f.index + 1).padStart(2, '0')}-${f.of}-${f.view}`;
}

export async function writeRunOutputs(outDir: string, plan: NotebookPlan, run: NotebookRun, options: WriteOptions): Promise<WrittenOutputs> {
  const files: string[] = [];
  const write = async (rel: string, data: string | Uint8Array) => {
    await mkdir(join(outDir, rel, '..'), { recursive: true });
    await writeFile(join(outDir, rel), data);
    files.push(rel);
  };

  const results: JsonObject = {};
  for (const out of run.outputs) {
    if (out.kind !== 'analysis') continue;
    const step = plan.analyses.get(out.index)!;
    results[out.id] = { method: out.method, params: step.params, key: out.key, cached: out.cached, result: out.result };
    await write(`results/${out.id}.json`, JSON.stringify(out.result, null, 1));
    for (const view of Object.keys(step.step.views)) await write(`results/${out.id}.${view}.csv`, tableToCsv(viewToTable(step.step.view(out.result, view))));
  }
  await write('results.json', JSON.stringify({ title: plan.notebook.title, backend: options.backend, steps: results }, null, 1));

  const figures = run.outputs.filter((o): o is FigureOutput => o.kind === 'figure');
  for (const f of figures) {
    await write(`figures/${figureName(f)}.plotly.json`, JSON.stringify(f.figure));
    await write(`figures/${figureName(f)}.csv`, tableToCsv(f.table));
  }

  // The report first: images need a browser and can fail, and a failed image must never cost
  // the report, the results or the tables.
  const plotlyJs = await plotlyBundle();
  await write('report.html', await buildHtmlReport({ notebook: plan.notebook, outputs: run.outputs, plotlyJs, backend: options.backend, generatedAt: new Date().toISOString() }));

  let imagesSkipped: string | null = null;
  if (figures.length > 0) {
    const chromium = options.chromium === undefined ? findChromium() : options.chromium;
    if (options.images === 'off') imagesSkipped = 'image export turned off (--no-images)';
    else if (!chromium) imagesSkipped = 'no Chromium found (set PROBESCOPE_CHROMIUM or install chromium), so SVG and PNG were not written';
    else imagesSkipped = await writeImages(figures, chromium, plotlyJs, options.scale, write);
  }
  return { files, imagesSkipped };
}

/** SVG and PNG of every figure; a failure becomes the reason they are missing, in one line. */
async function writeImages(
  figures: readonly FigureOutput[],
  chromium: string,
  plotlyJs: string,
  scale: number | undefined,
  write: (rel: string, data: string | Uint8Array) => Promise<void>,
): Promise<string | null> {
  let images;
  try {
    images = await renderFigureImages(figures.map((f) => f.figure), { executablePath: chromium, plotlyJs, scale });
  } catch (e) {
    const message = ((e as Error).message ?? String(e)).split('\n')[0];
    return `SVG and PNG export failed (${message}); the report, results and tables were written`;
  }
  for (const [i, f] of figures.entries()) {
    await write(`figures/${figureName(f)}.svg`, images[i].svg);
    await write(`figures/${figureName(f)}.png`, images[i].png);
  }
  return null;
}
