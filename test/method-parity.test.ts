/**
 * One method, one definition: for every method of the registry, on the same model, backend and
 * inputs, the CLI's `--json` output, the notebook step's result and the app worker's `method`
 * job result are the same JSON (cases: method-cases.ts). And for every view of every method and
 * every figure type it can be drawn as, the figure the app draws for a result (methodViewFigure)
 * is the figure the notebook's HTML report embeds for the same result: same data, same layout.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../analysis/json.ts';
import type { PromptItem } from '../analysis/registry/contract.ts';
import type { FigureType } from '../analysis/registry/views.ts';
import { FIGURE_TYPES_FOR } from '../analysis/registry/views.ts';
import { METHODS } from '../analysis/registry/registry.ts';
import { createWasmBackend } from '../gpu/wasm/index.ts';
import { MemoryCache } from '../notebooks/cache.ts';
import { nodeModelHost } from '../notebooks/node/model-host.ts';
import type { CellOutput } from '../notebooks/runner.ts';
import { runNotebook } from '../notebooks/runner.ts';
import { buildHtmlReport } from '../notebooks/report/html.ts';
import { validateNotebook } from '../notebooks/validate.ts';
import { methodViewFigure } from '../renderer/figures/method-figure.ts';
import type { Progress } from '../renderer/worker/contracts.ts';
import { createHandlers } from '../renderer/worker/handlers.ts';
import { WorkerJobContext } from '../renderer/worker/job-context.ts';
import type { JobHandlers } from '../renderer/worker/runner.ts';
import { EngineSession } from '../renderer/worker/session.ts';
import { jsonOf, runCli } from './cli-capture.ts';
import { CASES, DATASET } from './method-cases.ts';
import { fileTempDir } from './temp-dir.ts';

const MODEL = 'builtin:stories260K';
const datasetFile = path.join(fileTempDir('probescope-parity-'), 'dataset.json');
writeFileSync(datasetFile, JSON.stringify(DATASET));

/** Presentation options every figure cell of the parity notebook sets, and the app is given too. */
const FIGURE_OPTIONS = { width: 1000, height: 520 } as const;

/** Every view of every method, drawn as every figure type its kind allows. */
function figureCells(method: string, of: string): { kind: 'figure'; of: string; type: FigureType; options: Record<string, unknown> }[] {
  const m = METHODS.get(method)!;
  return Object.entries(m.views).flatMap(([view, kind]) => FIGURE_TYPES_FOR[kind].map((type) => ({ kind: 'figure' as const, of, type, options: { view, ...FIGURE_OPTIONS } })));
}

type FigureOutput = Extract<CellOutput, { kind: 'figure' }>;

/** A method's cells in the parity notebook: its prompts, its analysis cell and its figure cells. */
function methodCells(method: string) {
  const i = Object.keys(CASES).indexOf(method);
  const c = CASES[method];
  return [
    ...(c.prompts.length ? [{ kind: 'prompts', id: `p${i}`, prompts: c.prompts.map((text) => ({ text })) }] : []),
    { kind: 'analysis', id: `a${i}`, method, params: c.params, ...(method === 'probe' ? { input: 'data' } : {}) },
    ...figureCells(method, `a${i}`),
  ];
}

/** The methods in groups whose notebooks stay within the notebook format's cell limit (256). */
function notebookGroups(): string[][] {
  const groups: string[][] = [[]];
  let size = 2;
  for (const method of Object.keys(CASES)) {
    const n = methodCells(method).length;
    if (size + n > 256) {
      groups.push([]);
      size = 2;
    }
    groups.at(-1)!.push(method);
    size += n;
  }
  return groups;
}

/**
 * The methods' results from a notebook with one analysis cell per method, each followed by a
 * figure cell for every view and figure type; and each figure with the spec the notebook's HTML
 * report embeds for it.
 */
async function notebookResults(methods: readonly string[]): Promise<{ results: Map<string, Json>; figures: { output: FigureOutput; embedded: unknown }[] }> {
  const cells = [{ kind: 'model', id: 'm', ref: MODEL }, { kind: 'dataset', id: 'data', dataset: DATASET }, ...methods.flatMap(methodCells)];
  const plan = validateNotebook({ format: 'probescope.notebook', version: 2, title: 'parity', cells });
  const run = await runNotebook(plan, { models: nodeModelHost(await createWasmBackend(), '.'), cache: new MemoryCache(), backend: 'cpu' });
  const results = new Map<string, Json>();
  for (const o of run.outputs) if (o.kind === 'analysis') results.set(o.method, (o as Extract<CellOutput, { kind: 'analysis' }>).result);
  const html = await buildHtmlReport({ notebook: plan.notebook, outputs: run.outputs, plotlyJs: '' });
  const embedded = /<script type="application\/json" id="probescope-figures">(.*?)<\/script>/s.exec(html);
  if (!embedded) throw new Error('the report embeds no figures');
  const report = JSON.parse(embedded[1]) as Record<string, unknown>;
  const figures = run.outputs.filter((o): o is FigureOutput => o.kind === 'figure').map((output) => ({ output, embedded: report[`figure-${output.index + 1}`] }));
  return { results, figures };
}

const notebook = new Map<string, Json>();
const figures: { output: FigureOutput; embedded: unknown }[] = [];
let worker: JobHandlers;
const context = (progress: Progress[] = []) => new WorkerJobContext((p) => progress.push(p));

beforeAll(async () => {
  for (const group of notebookGroups()) {
    const part = await notebookResults(group);
    for (const [method, result] of part.results) notebook.set(method, result);
    figures.push(...part.figures);
  }
  worker = createHandlers(new EngineSession());
  const folder = path.resolve(import.meta.dirname, '../models/stories260K');
  const files = readdirSync(folder).map((name) => ({ path: name, file: new Blob([readFileSync(path.join(folder, name))]) }));
  await worker.loadModel({ source: { kind: 'files', label: MODEL, files }, backend: 'cpu' }, context());
}, 240_000);

describe('one method, one definition', () => {
  it('every registered method has a case', () => {
    expect(Object.keys(CASES).sort()).toEqual([...METHODS.keys()].sort());
  });

  it.each(Object.keys(CASES))('%s: CLI --json, notebook step and worker job give the same JSON', async (method) => {
    const c = CASES[method];
    const cli = jsonOf(await runCli([method, '--model', MODEL, ...c.flags, ...(method === 'probe' ? ['--dataset', datasetFile] : []), '--json']));
    const items: PromptItem[] = c.prompts.map((text) => ({ text }));
    const progress: Progress[] = [];
    const job = await worker.method(
      { method, params: c.params, prompts: items, ...(method === 'probe' ? { dataset: { kind: 'json', name: 'dataset.json', text: JSON.stringify(DATASET) } } : {}) },
      context(progress),
    );
    expect(notebook.get(method)).toBeDefined();
    expect(cli).toEqual(notebook.get(method));
    expect(job.result).toEqual(notebook.get(method));
    expect(job.interventions).toEqual([]);
  });
});

/** The cell id of a method's analysis cell in the parity notebook. */
const analysisCell = (method: string) => `a${Object.keys(CASES).indexOf(method)}`;

describe('one figure layer: the app draws what the notebook report embeds', () => {
  it.each(Object.keys(CASES))('%s: every view and figure type', (method) => {
    const m = METHODS.get(method)!;
    const result = notebook.get(method)!;
    const cells = figures.filter((f) => f.output.of === analysisCell(method));
    expect(cells.map(({ output: f }) => `${f.view}/${f.type}`).sort()).toEqual(Object.entries(m.views).flatMap(([view, kind]) => FIGURE_TYPES_FOR[kind].map((type) => `${view}/${type}`)).sort());
    for (const { output: f, embedded } of cells) {
      // The exact function the app's views call (MethodFigureCard) to turn a result into a figure.
      const app = methodViewFigure(m, result, { view: f.view, type: f.type, options: FIGURE_OPTIONS });
      // The report holds JSON: the app's spec as JSON is what the app hands Plotly.
      expect(embedded, `${method} ${f.view} as ${f.type}`).toEqual(JSON.parse(JSON.stringify(app.spec)));
    }
  });
});
