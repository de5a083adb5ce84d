/**
 * Metrics for patching-style methods (METHODS.md: "a *metric* is a scalar function of the logits
 * at one position, default the logit difference LD = logit[a] − logit[b]"), and the normalised
 * metric (M_patched − M_corrupt) / (M_clean − M_corrupt) (1 = fully restored, 0 = no effect).
 */

/** Any scalar function of one position's logits ([vocab]). Must not keep the array. */
export type MetricFn = (logits: Float32Array) => number;

/** logit[answer] − logit[wrong], or logit[answer] alone when `wrong` is omitted. */
export interface LogitDifference {
  readonly answer: number;
  readonly wrong?: number;
}

export type LogitMetric = LogitDifference | MetricFn;

/** The metric as a function, with token ids checked against the vocabulary. */
export function metricFunction(metric: LogitMetric, dVocab: number): MetricFn {
  if (typeof metric === 'function') return metric;
  const check = (field: 'answer' | 'wrong', id: number) => {
    if (!Number.isInteger(id) || id < 0 || id >= dVocab) {
      throw new Error(`metric.${field}: token id ${id} is outside the vocabulary [0, ${dVocab})`);
    }
  };
  const { answer, wrong } = metric;
  check('answer', answer);
  if (wrong === undefined) return (logits) => logits[answer];
  check('wrong', wrong);
  return (logits) => logits[answer] - logits[wrong];
}

/**
 * (patched − corrupt) / (clean − corrupt). NaN when clean and corrupt metrics are equal (the
 * corruption changed nothing the metric sees, so there is nothing to restore).
 */
export function normalizedMetric(patched: number, clean: number, corrupt: number): number {
  const range = clean - corrupt;
  return range === 0 ? NaN : (patched - corrupt) / range;
}
