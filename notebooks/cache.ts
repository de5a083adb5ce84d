/**
 * Where step results are kept between runs. The runner only needs get/set by content hash, so
 * the store is an interface: in memory (tests, one CLI run), a folder on disk (the CLI's
 * --cache, node/disk-cache.ts), or the probe project in IndexedDB (the app).
 */
import type { Json } from '../analysis/json.ts';

export interface CachedStep {
  readonly method: string;
  /** The step's version when computed (also part of the key; kept for display). */
  readonly version: number;
  readonly result: Json;
  /** ISO time it was computed. */
  readonly computedAt: string;
  /** Milliseconds the computation took. */
  readonly ms: number;
}

export interface ResultCache {
  get(key: string): Promise<CachedStep | undefined>;
  set(key: string, entry: CachedStep): Promise<void>;
}

export class MemoryCache implements ResultCache {
  private readonly entries = new Map<string, CachedStep>();

  async get(key: string): Promise<CachedStep | undefined> {
    return this.entries.get(key);
  }

  async set(key: string, entry: CachedStep): Promise<void> {
    this.entries.set(key, entry);
  }

  get size(): number {
    return this.entries.size;
  }
}
