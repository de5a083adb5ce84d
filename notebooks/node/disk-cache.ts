/**
 * A ResultCache in a folder: one JSON file per key (keys are SHA-256 hex, so they are safe file
 * names). Writes go to a temporary file and are renamed into place, so an interrupted run never
 * leaves a half-written entry that a later run would trust; unreadable entries count as misses.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CachedStep, ResultCache } from '../cache.ts';

const KEY = /^[0-9a-f]{64}$/;

export class DiskCache implements ResultCache {
  constructor(private readonly folder: string) {}

  private path(key: string): string {
    if (!KEY.test(key)) throw new Error(`internal: cache key ${JSON.stringify(key)} is not a SHA-256 hex digest`);
    return join(this.folder, `${key}.json`);
  }

  async get(key: string): Promise<CachedStep | undefined> {
    let text: string;
    try {
      text = await readFile(this.path(key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const entry = JSON.parse(text) as Partial<CachedStep>;
      if (typeof entry.method !== 'string' || typeof entry.version !== 'number' || !('result' in entry)) return undefined;
      return entry as CachedStep;
    } catch {
      return undefined;
    }
  }

  async set(key: string, entry: CachedStep): Promise<void> {
    await mkdir(this.folder, { recursive: true });
    const tmp = `${this.path(key)}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(entry));
    await rename(tmp, this.path(key));
  }
}
