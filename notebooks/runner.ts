/**
 * Runs a validated notebook (validate.ts) cell by cell, in order — shared by the app and the CLI.
 *
 * - Caching: an analysis cell's key is the SHA-256 of (its method and step version, its params
 *   with defaults applied, the model's content identity, the backend, and the content of the
 *   prompts/dataset cell it reads). A hit skips the computation, and when every step hits, the
 *   model is never even loaded. Figures are recomputed from the (cached) result every time:
 *   they are a cheap pure function of it, and storing them would double the store.
 * - Cancel: the AbortSignal is checked between cells and handed to each step.
 * - Errors: the first failing cell stops the run with a NotebookCellError naming the cell.
 */
import type { Model } from '../analysis/model/model.ts';
import type { DictionaryResolver, MethodInputs } from '../analysis/registry/contract.ts';
import type { ResultCache } from './cache.ts';
import { datasetOf } from './datasets.ts';
import type { RenderedFigure } from './figures/render.ts';
import { renderFigure } from './figures/render.ts';
import type { FigureType } from '../analysis/registry/views.ts';
import { contentHash } from './hash.ts';
import type { Json } from '../analysis/json.ts';
import { toJson } from '../analysis/json.ts';
import { renderMarkdown } from './markdown.ts';
import type { Cell } from './schema.ts';
import { cellName } from './schema.ts';
import type { AnalysisPlan, NotebookPlan } from './validate.ts';

/** Bump when the key recipe changes, so old entries are never mistaken for new ones. */
export const CACHE_KEY_VERSION = 1;

/** Opens the models notebooks name. */
export interface ModelHost {
  /** A content identity (e.g. a hash of config, tokenizer and weights): equal ⇒ same model. */
  identify(ref: string): Promise<string>;
  open(ref: string, signal: AbortSignal): Promise<Model>;
  /** Opens the dictionaries that steps name (folder paths, builtin:…) for a model; absent: steps that need them fail saying so. */
  dictionaries?(model: Model): DictionaryResolver;
  /** Opens cross-layer transcoders that steps name; absent: such references are read as ordinary dictionaries. */
  crossLayerTranscoder?(model: Model): NonNullable<MethodInputs['crossLayerTranscoder']>;
}

export type RunEvent =
  | { readonly type: 'cell-start'; readonly index: number; readonly cell: string; readonly total: number }
  | { readonly type: 'cell-progress'; readonly index: number; readonly cell: string; readonly fraction: number; readonly message?: string }
  | { readonly type: 'cell-done'; readonly index: number; readonly cell: string; readonly cached: boolean; readonly ms: number };

export interface RunOptions {
  readonly models: ModelHost;
  readonly cache: ResultCache;
  /** The backend's name (e.g. "cpu"): part of the key, since backends differ in the last bits. */
  readonly backend: string;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: RunEvent) => void;
  /** Stop after the cell with this id (run one cell and what it needs). */
  readonly until?: string;
}

export type CellOutput =
  | { readonly kind: 'markdown'; readonly index: number; readonly html: string }
  | { readonly kind: 'model'; readonly index: number; readonly ref: string; readonly identity: string }
  | { readonly kind: 'prompts'; readonly index: number; readonly count: number }
  | { readonly kind: 'dataset'; readonly index: number; readonly name: string | null; readonly count: number }
  | {
      readonly kind: 'analysis';
      readonly index: number;
      readonly id: string;
      readonly method: string;
      readonly key: string;
      readonly cached: boolean;
      readonly ms: number;
      readonly result: Json;
    }
  | ({ readonly kind: 'figure'; readonly index: number; readonly of: string; readonly view: string; readonly type: FigureType } & RenderedFigure);

export interface NotebookRun {
  readonly outputs: CellOutput[];
  /** Analysis cells computed in this run, and served from the cache. */
  readonly computed: number;
  readonly cached: number;
}

export class NotebookCellError extends Error {
  constructor(
    readonly index: number,
    readonly cell: string,
    override readonly cause: unknown,
  ) {
    super(`${cell} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'NotebookCellError';
  }
}

export class NotebookCancelledError extends Error {
  constructor(readonly index: number) {
    super(`notebook run cancelled before cell ${index + 1} finished`);
    this.name = 'AbortError';
  }
}

/** What an analysis cell reads besides the model, as hashed and as handed to the step. */
function inputContent(plan: NotebookPlan, a: AnalysisPlan): Json {
  if (a.input === null) return null;
  const cell = plan.notebook.cells[a.input];
  if (cell.kind === 'prompts') return toJson({ prompts: cell.prompts, prependBos: cell.prependBos ?? null });
  if (cell.kind === 'dataset') return toJson(datasetOf(cell));
  return null;
}

export async function runNotebook(plan: NotebookPlan, options: RunOptions): Promise<NotebookRun> {
  const signal = options.signal ?? new AbortController().signal;
  const cells = plan.notebook.cells;
  const identities = new Map<string, Promise<string>>();
  const models = new Map<string, Promise<Model>>();
  const identify = (ref: string) => identities.get(ref) ?? identities.set(ref, options.models.identify(ref)).get(ref)!;
  const open = (ref: string) => models.get(ref) ?? models.set(ref, options.models.open(ref, signal)).get(ref)!;
  const results = new Map<number, Json>();
  const outputs: CellOutput[] = [];
  let computed = 0;
  let cached = 0;
  const last = options.until === undefined ? cells.length - 1 : cells.findIndex((c) => c.id === options.until);
  if (last < 0) throw new Error(`no cell "${options.until}" to run until`);

  for (let index = 0; index <= last; index++) {
    const cell = cells[index];
    const name = cellName(cell, index);
    if (signal.aborted) throw new NotebookCancelledError(index);
    options.onEvent?.({ type: 'cell-start', index, cell: name, total: last + 1 });
    const started = performance.now();
    let wasCached = false;
    try {
      const output = await runCell(cell, index);
      outputs.push(output);
      if (output.kind === 'analysis') {
        wasCached = output.cached;
        if (wasCached) cached++;
        else computed++;
      }
    } catch (e) {
      if (signal.aborted) throw new NotebookCancelledError(index);
      throw new NotebookCellError(index, name, e);
    }
    if (signal.aborted) throw new NotebookCancelledError(index);
    options.onEvent?.({ type: 'cell-done', index, cell: name, cached: wasCached, ms: performance.now() - started });
  }
  return { outputs, computed, cached };

  async function runCell(cell: Cell, index: number): Promise<CellOutput> {
    switch (cell.kind) {
      case 'markdown':
        return { kind: 'markdown', index, html: renderMarkdown(cell.text) };
      case 'model':
        return { kind: 'model', index, ref: cell.ref, identity: await identify(cell.ref) };
      case 'prompts':
        return { kind: 'prompts', index, count: cell.prompts.length };
      case 'dataset': {
        const d = datasetOf(cell);
        return { kind: 'dataset', index, name: d.name ?? null, count: d.examples.length };
      }
      case 'analysis':
        return runAnalysis(plan.analyses.get(index)!, index);
      case 'figure': {
        const f = plan.figures.get(index)!;
        const step = plan.analyses.get(f.of)!.step;
        return { kind: 'figure', index, of: f.cell.of, view: f.view, type: f.type, ...renderFigure(step, results.get(f.of)!, f.view, f.type, f.cell.options) };
      }
    }
  }

  async function runAnalysis(a: AnalysisPlan, index: number): Promise<CellOutput> {
    const modelCell = cells[a.model];
    if (modelCell.kind !== 'model') throw new Error('internal: analysis bound to a non-model cell');
    const input = inputContent(plan, a);
    const key = await contentHash({
      keyVersion: CACHE_KEY_VERSION,
      method: a.step.method,
      stepVersion: a.step.version,
      params: a.params,
      model: await identify(modelCell.ref),
      backend: options.backend,
      input,
    });
    const base = { kind: 'analysis' as const, index, id: a.cell.id, method: a.step.method, key };
    const hit = await options.cache.get(key);
    if (hit) {
      results.set(index, hit.result);
      return { ...base, cached: true, ms: hit.ms, result: hit.result };
    }
    const model = await open(modelCell.ref);
    const inputCell = a.input === null ? null : cells[a.input];
    const started = performance.now();
    const result = await a.step.run(model, a.params, {
      prompts: inputCell?.kind === 'prompts' ? { cell: inputCell.id, items: inputCell.prompts, prependBos: inputCell.prependBos } : null,
      dataset: inputCell?.kind === 'dataset' ? datasetOf(inputCell) : null,
      dictionaries: options.models.dictionaries?.(model),
      crossLayerTranscoder: options.models.crossLayerTranscoder?.(model),
      signal,
      onProgress: (done, total, unit) =>
        options.onEvent?.({ type: 'cell-progress', index, cell: cellName(a.cell, index), fraction: total > 0 ? done / total : 0, message: `${done} of ${total} ${unit}` }),
    });
    const ms = performance.now() - started;
    await options.cache.set(key, { method: a.step.method, version: a.step.version, result, computedAt: new Date().toISOString(), ms });
    results.set(index, result);
    return { ...base, cached: false, ms, result };
  }
}
