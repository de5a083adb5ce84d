/**
 * Dictionaries the user opens in the app (a folder picked in the page): the worker opens and
 * checks them against the open model once, keeps them for the session, and gives back a
 * reference (`folder:…`) that every method job's `dictionary` / `transcoders` field accepts.
 * Dictionaries are data (safetensors, JSON, YAML): nothing in a folder is ever run.
 */
import type { ModelSourceRequest } from './contracts.ts';

export interface OpenDictionaryParams {
  readonly source: ModelSourceRequest;
}

/** One dictionary of an opened folder, as the view lists it. */
export interface DictionarySummary {
  readonly label: string;
  readonly architecture: string;
  readonly hookIn: string;
  readonly hookOut: string;
  readonly dSae: number;
}

export interface OpenedDictionaries {
  /** What method params name to use them: `folder:<n>/<label>`. */
  readonly ref: string;
  readonly label: string;
  /** Digest of the folder's files (names, sizes, sampled bytes): tells stored dashboards of another folder apart. */
  readonly digest: string;
  /** One per dictionary; for a cross-layer transcoder, one per layer (its features as that layer's transcoder). */
  readonly dictionaries: readonly DictionarySummary[];
  /**
   * Present when the folder is a circuit-tracer cross-layer transcoder: its layer i's features
   * read blocks.i's input hook and write every MLP output from layer i on. It is used whole
   * (a method's `dictionaries`, an attribution graph's `transcoders`), never one layer alone.
   */
  readonly crossLayer?: { readonly layers: number; readonly dSae: number };
}

/**
 * The `dashboards` job: the "feature-dashboards" method (params as its schema reads them) run in
 * the worker and packed there (analysis/registry/dashboard-artifact.ts), so the page receives
 * typed arrays (moved, not copied) instead of every feature's JSON.
 */
export interface DashboardsJobParams {
  readonly params: Readonly<Record<string, unknown>>;
}
