/**
 * What the notebook's runs produced, kept with the cells (by editor key) so outputs survive
 * moves and inserts, and marked outdated when anything they depend on changed since: each
 * output carries the signature of its cell and every non-markdown cell above it at run time.
 */
import { renderMarkdown } from '../../notebooks/markdown.ts';
import type { CellOutput } from '../../notebooks/runner.ts';
import type { NotebookInput } from '../../notebooks/schema.ts';
import type { NotebookRunResult } from '../worker/notebook-contracts.ts';

export interface CellResult {
  readonly output: CellOutput;
  readonly signature: string;
}

export interface RunSummary {
  /** Cells the run went through. */
  readonly cells: number;
  readonly computed: number;
  readonly cached: number;
  readonly backend: string;
  readonly ms: number;
  readonly cacheProblems: readonly string[];
  /** Whether the results were kept in a project (or only in this session). */
  readonly inProject: boolean;
}

export interface RunRecord {
  readonly results: ReadonlyMap<string, CellResult>;
  readonly failure: { readonly key: string; readonly message: string } | null;
  readonly summary: RunSummary | null;
}

export const EMPTY_RECORD: RunRecord = { results: new Map(), failure: null, summary: null };

/** cyrb53: a fast 53-bit string hash, enough to notice that a cell changed. */
function hash53(text: string, seed = 0): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/**
 * Per cell: a signature of it and every cell above it that can change its output. Markdown
 * changes no other cell's output, and its own is drawn from its current text, so it is never
 * outdated.
 */
export function cellSignatures(doc: NotebookInput): string[] {
  let prefix = '';
  return doc.cells.map((cell) => {
    if (cell.kind === 'markdown') return 'markdown';
    prefix = hash53(`${prefix}|${JSON.stringify(cell)}`);
    return prefix;
  });
}

/** The record after a run that started with these keys and signatures. */
export function recordRun(previous: RunRecord, keys: readonly string[], signatures: readonly string[], result: NotebookRunResult, run: { readonly ms: number; readonly inProject: boolean }, upTo: number): RunRecord {
  const results = new Map(previous.results);
  // Cells the run covered lose their old outputs (a failing cell and those after it included).
  keys.slice(0, upTo + 1).forEach((key) => results.delete(key));
  for (const output of result.outputs) results.set(keys[output.index], { output, signature: signatures[output.index] });
  return {
    results,
    failure: result.failure ? { key: keys[result.failure.index], message: result.failure.message } : null,
    summary: { ...run, cells: result.outputs.length, computed: result.computed, cached: result.cached, backend: result.backend, cacheProblems: result.cacheProblems },
  };
}

export type CellState =
  | { readonly kind: 'none' }
  | { readonly kind: 'queued' }
  | { readonly kind: 'running'; readonly stage: string }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'done'; readonly output: CellOutput; readonly outdated: boolean };

export interface LiveRun {
  /** Keys of the cells the running job covers, in order. */
  readonly keys: readonly string[];
  /** Cells finished so far. */
  readonly done: number;
  readonly stage: string;
}

export function cellState(key: string, signature: string, record: RunRecord, live: LiveRun | null): CellState {
  if (live) {
    const at = live.keys.indexOf(key);
    if (at === live.done) return { kind: 'running', stage: live.stage };
    if (at > live.done) return { kind: 'queued' };
  }
  if (record.failure?.key === key) return { kind: 'failed', message: record.failure.message };
  const result = record.results.get(key);
  return result ? { kind: 'done', output: result.output, outdated: result.signature !== signature } : { kind: 'none' };
}

/**
 * Outputs for the HTML report, in the notebook's current order: every cell must have an
 * up-to-date output (markdown is rendered from the current text). Null when a run is needed.
 */
export function reportOutputs(doc: NotebookInput, keys: readonly string[], record: RunRecord): CellOutput[] | null {
  const signatures = cellSignatures(doc);
  const outputs: CellOutput[] = [];
  for (let index = 0; index < doc.cells.length; index++) {
    const cell = doc.cells[index];
    if (cell.kind === 'markdown') {
      outputs.push({ kind: 'markdown', index, html: renderMarkdown(cell.text) });
      continue;
    }
    const result = record.results.get(keys[index]);
    if (!result || result.signature !== signatures[index]) return null;
    outputs.push({ ...result.output, index });
  }
  return outputs;
}
