/**
 * The notebook cache pieces that need no database: how a cached step becomes a project run and
 * back (damaged runs are misses), and the project-then-session layering with its problems
 * reported instead of failing the run.
 */
import { describe, expect, it } from 'vitest';
import type { CachedStep, ResultCache } from '../../notebooks/cache.ts';
import { MemoryCache } from '../../notebooks/cache.ts';
import { cachedStepOf, cacheRun, isCacheRun } from './cache-records.ts';
import { LayeredCache } from './layered-cache.ts';

const KEY = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
const entry: CachedStep = { method: 'logit-lens', version: 1, result: { layers: ['L0', 'final'], z: [0.5, null] }, computedAt: '2025-01-01T00:00:00.000Z', ms: 12 };

describe('cached steps as project runs', () => {
  it('round-trips an entry through the run that keeps it', () => {
    const run = cacheRun(KEY, entry);
    expect(run).toMatchObject({ kind: 'notebook:logit-lens', label: 'Notebook step: logit-lens', params: { cacheKey: KEY, method: 'logit-lens', version: 1, ms: 12 } });
    expect(isCacheRun(run.kind, run.params, KEY)).toBe(true);
    expect(isCacheRun(run.kind, run.params, OTHER)).toBe(false);
    expect(isCacheRun('logit-lens', run.params, KEY)).toBe(false);
    expect(cachedStepOf(run.params, run.result)).toEqual(entry);
  });

  it('reads typed arrays back as JSON and treats damaged runs as misses', () => {
    const run = cacheRun(KEY, entry);
    expect(cachedStepOf(run.params, { z: new Float32Array([0.5, Number.NaN]) })?.result).toEqual({ z: [0.5, null] });
    expect(cachedStepOf({ ...run.params, cacheKey: 'not hex' }, run.result)).toBeUndefined();
    expect(cachedStepOf({ method: 'x' }, run.result)).toBeUndefined();
    expect(cachedStepOf(run.params, undefined)).toBeUndefined();
    expect(cachedStepOf(run.params, { when: new Date() })).toBeUndefined();
  });
});

class FailingCache implements ResultCache {
  constructor(private readonly error: string) {}
  async get(): Promise<CachedStep | undefined> {
    throw new Error(this.error);
  }
  async set(): Promise<void> {
    throw new Error(this.error);
  }
}

describe('LayeredCache', () => {
  it('reads the project first and writes both layers', async () => {
    const project = new MemoryCache();
    const session = new MemoryCache();
    const cache = new LayeredCache(project, session);
    await cache.set(KEY, entry);
    expect([project.size, session.size]).toEqual([1, 1]);
    await project.set(OTHER, { ...entry, ms: 99 });
    expect((await cache.get(OTHER))?.ms).toBe(99);
    expect(cache.problems).toEqual([]);
  });

  it('copies a result found only in this session into the project', async () => {
    const project = new MemoryCache();
    const session = new MemoryCache();
    await session.set(KEY, entry);
    const cache = new LayeredCache(project, session);
    expect(await cache.get(KEY)).toEqual(entry);
    expect(await project.get(KEY)).toEqual(entry);
  });

  it('works without a project', async () => {
    const session = new MemoryCache();
    const cache = new LayeredCache(null, session);
    await cache.set(KEY, entry);
    expect(await cache.get(KEY)).toEqual(entry);
    expect(await cache.get(OTHER)).toBeUndefined();
  });

  it('goes on with the session when the project fails, and reports each problem once', async () => {
    const session = new MemoryCache();
    const cache = new LayeredCache(new FailingCache('the storage is full'), session);
    await cache.set(KEY, entry);
    await cache.set(OTHER, entry);
    expect(await cache.get(KEY)).toEqual(entry);
    expect(cache.problems).toEqual(['Could not keep a result in the project: the storage is full', 'Could not read results from the project: the storage is full']);
  });
});
