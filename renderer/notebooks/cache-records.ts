/**
 * How a notebook step's cached result is kept in a probe project: as one of the project's runs
 * (an experiment with its result), so it is listed, fingerprinted, exported, duplicated and
 * deleted with the project like any other run. The runner's cache key is stored in the run's
 * params; reading a run back checks its shape, so a damaged or hand-edited project is a cache
 * miss, never a crash or a result of the wrong shape.
 */
import { z } from 'zod';
import type { CachedStep } from '../../notebooks/cache.ts';
import type { Json } from '../../analysis/json.ts';
import { toJson } from '../../analysis/json.ts';

/** Experiment kinds of cached notebook steps: "notebook:logit-lens". */
export const NOTEBOOK_RUN_PREFIX = 'notebook:';

const CacheParams = z.object({
  cacheKey: z.string().regex(/^[0-9a-f]{64}$/),
  method: z.string().min(1),
  version: z.number().int(),
  computedAt: z.string(),
  ms: z.number().nonnegative(),
});
export type CacheRunParams = z.infer<typeof CacheParams>;

export interface CacheRunInput {
  readonly kind: string;
  readonly label: string;
  readonly params: CacheRunParams;
  readonly result: Json;
}

/** The run that keeps `entry` under `key`. */
export function cacheRun(key: string, entry: CachedStep): CacheRunInput {
  return {
    kind: `${NOTEBOOK_RUN_PREFIX}${entry.method}`,
    label: `Notebook step: ${entry.method}`,
    params: { cacheKey: key, method: entry.method, version: entry.version, computedAt: entry.computedAt, ms: entry.ms },
    result: entry.result,
  };
}

/** Whether a stored run (its kind and params) holds the entry for `key`. */
export function isCacheRun(kind: string, params: unknown, key: string): boolean {
  if (!kind.startsWith(NOTEBOOK_RUN_PREFIX)) return false;
  const parsed = CacheParams.safeParse(params);
  return parsed.success && parsed.data.cacheKey === key;
}

/** The cached step a stored run holds, or undefined when it is not one (or is damaged). */
export function cachedStepOf(params: unknown, result: unknown): CachedStep | undefined {
  const parsed = CacheParams.safeParse(params);
  if (!parsed.success || result === undefined) return undefined;
  let json: Json;
  try {
    // Stored values may hold typed arrays (an imported project); the runner's results are JSON.
    json = toJson(result);
  } catch {
    return undefined;
  }
  const { method, version, computedAt, ms } = parsed.data;
  return { method, version, computedAt, ms, result: json };
}
