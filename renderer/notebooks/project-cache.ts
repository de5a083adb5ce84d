/**
 * The notebook runner's ResultCache over the probe project store: each cached step is one of
 * the project's runs (cache-records.ts). Used in the worker, which opens the same IndexedDB
 * database as the page.
 */
import type { CachedStep, ResultCache } from '../../notebooks/cache.ts';
import type { ProbescopeDb } from '../storage/db.ts';
import { getExperimentResult, saveExperiment } from '../storage/parts.ts';
import { cachedStepOf, cacheRun, isCacheRun } from './cache-records.ts';

export class ProjectResultCache implements ResultCache {
  constructor(
    private readonly db: ProbescopeDb,
    private readonly projectId: string,
  ) {}

  async get(key: string): Promise<CachedStep | undefined> {
    const runs = await this.db.experiments
      .where('projectId')
      .equals(this.projectId)
      .filter((run) => isCacheRun(run.kind, run.params, key))
      .toArray();
    // The newest first: a damaged run must not hide a good one stored after it.
    for (const run of runs.sort((a, b) => b.createdAt - a.createdAt)) {
      const entry = cachedStepOf(run.params, await getExperimentResult(this.db, run.id));
      if (entry) return entry;
    }
    return undefined;
  }

  async set(key: string, entry: CachedStep): Promise<void> {
    await saveExperiment(this.db, this.projectId, cacheRun(key, entry));
  }
}
