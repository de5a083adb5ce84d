/**
 * The notebook job's parameters and result: the notebook runner (notebooks/runner.ts) runs in
 * the worker on the open model, with its result cache in the current probe project.
 */
import type { CellOutput } from '../../notebooks/runner.ts';
import type { NotebookInput } from '../../notebooks/schema.ts';

/** Where step results are kept: the probe project (IndexedDB, by database name), or this session only. */
export type NotebookCacheTarget = { readonly kind: 'project'; readonly dbName: string; readonly projectId: string } | { readonly kind: 'session' };

export interface NotebookRunParams {
  /** The document as the editor holds it; validated again in the worker. */
  readonly notebook: NotebookInput;
  /** Run cells 0..upTo (one cell and everything above it); default every cell. */
  readonly upTo?: number;
  /** Content identity of the open model (its hash): part of every cache key. */
  readonly modelIdentity: string;
  readonly cache: NotebookCacheTarget;
}

export interface NotebookCellFailure {
  readonly index: number;
  /** e.g. `cell 4 (analysis "lens")`. */
  readonly cell: string;
  /** The runner's message, naming the cell. */
  readonly message: string;
}

export interface NotebookRunResult {
  /** Outputs of the cells that ran, in order (up to the failing cell when one failed). */
  readonly outputs: readonly CellOutput[];
  /** Analysis cells computed in this run, and served from the cache. */
  readonly computed: number;
  readonly cached: number;
  /** The backend the steps ran on ("cpu" or "webgpu"). */
  readonly backend: string;
  /** The first cell that failed, or null when every cell ran. */
  readonly failure: NotebookCellFailure | null;
  /** Problems with the project cache (e.g. storage full): results were computed but not kept. */
  readonly cacheProblems: readonly string[];
}
