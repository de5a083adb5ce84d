/**
 * The runner's cache over a real probe project in IndexedDB (Chromium): a miss, then a hit
 * after set; entries are the project's runs (listed, kept per project); a deleted project
 * fails loudly (the layered cache reports it); a damaged run is a miss, not a crash.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CachedStep } from '../../notebooks/cache.ts';
import { MemoryCache } from '../../notebooks/cache.ts';
import type { ProbescopeDb } from '../storage/db.ts';
import { listParts, saveExperiment } from '../storage/parts.ts';
import { createProject, deleteProject } from '../storage/projects.ts';
import { dropDb, freshDb } from '../storage/test-support.ts';
import { LayeredCache } from './layered-cache.ts';
import { ProjectResultCache } from './project-cache.ts';

const KEY = 'c'.repeat(64);
const entry: CachedStep = { method: 'head-scores', version: 1, result: { grid: [[0.1, 0.9]], heads: ['L0H0', 'L0H1'] }, computedAt: '2025-01-01T00:00:00.000Z', ms: 30 };

let db: ProbescopeDb | null = null;
afterEach(async () => {
  if (db) await dropDb(db);
  db = null;
});

describe('ProjectResultCache', () => {
  it('keeps step results as runs of the project they were computed in', async () => {
    db = freshDb();
    const a = await createProject(db, { name: 'A' });
    const b = await createProject(db, { name: 'B' });
    const cacheA = new ProjectResultCache(db, a.id);
    expect(await cacheA.get(KEY)).toBeUndefined();
    await cacheA.set(KEY, entry);
    expect(await cacheA.get(KEY)).toEqual(entry);
    expect(await new ProjectResultCache(db, b.id).get(KEY)).toBeUndefined();
    const runs = await listParts(db, 'experiments', a.id);
    expect(runs.map((r) => [r.kind, r.label])).toEqual([['notebook:head-scores', 'Notebook step: head-scores']]);
  });

  it('skips a damaged run and finds the good one', async () => {
    db = freshDb();
    const p = await createProject(db, { name: 'P' });
    const cache = new ProjectResultCache(db, p.id);
    await cache.set(KEY, entry);
    await saveExperiment(db, p.id, { kind: 'notebook:head-scores', params: { cacheKey: KEY, method: 'head-scores' }, result: 1 });
    expect(await cache.get(KEY)).toEqual(entry);
  });

  it('fails on a deleted project; the layered cache reports it and keeps the result in the session', async () => {
    db = freshDb();
    const p = await createProject(db, { name: 'Gone' });
    await deleteProject(db, p.id);
    await expect(new ProjectResultCache(db, p.id).set(KEY, entry)).rejects.toThrow(/was deleted/);
    const session = new MemoryCache();
    const layered = new LayeredCache(new ProjectResultCache(db, p.id), session);
    await layered.set(KEY, entry);
    expect(await layered.get(KEY)).toEqual(entry);
    expect(layered.problems).toEqual([expect.stringMatching(/^Could not keep a result in the project: .*was deleted/)]);
  });
});
