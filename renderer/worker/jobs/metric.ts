/**
 * The metric for the views: the position checked against the prompt, and the shared metric
 * defaults (analysis/methods/metric-defaults.ts) for the tokens the UI leaves empty.
 */
import { metricTokens, SameMetricTokenError } from '../../../analysis/methods/metric-defaults.ts';
import type { Model } from '../../../analysis/model/model.ts';
import type { MetricParams } from '../method-contracts.ts';
import { JobInputError } from '../errors.ts';

export interface ResolvedMetric {
  readonly answer: number;
  readonly wrong: number | undefined;
  readonly pos: number;
}

export function resolvePos(params: MetricParams, length: number): number {
  const pos = params.pos ?? length - 1;
  if (!Number.isInteger(pos) || pos < 0 || pos >= length) throw new JobInputError(`Position ${pos} is outside the prompt (0–${length - 1}).`);
  return pos;
}

export async function resolveMetric(model: Model, params: MetricParams, clean: readonly number[], corrupted?: readonly number[]): Promise<ResolvedMetric> {
  const pos = resolvePos(params, clean.length);
  try {
    return { ...(await metricTokens(model, clean, pos, params, corrupted)), pos };
  } catch (e) {
    throw e instanceof SameMetricTokenError ? new JobInputError(e.message) : e;
  }
}

/** Token texts of the ids a result names (null/undefined skipped). */
export function tokenTexts(model: Model, ...ids: (number | null | undefined)[]): Record<number, string> {
  const out: Record<number, string> = {};
  for (const id of ids) if (id !== null && id !== undefined) out[id] = model.tokenizer?.tokenString(id) ?? `#${id}`;
  return out;
}
