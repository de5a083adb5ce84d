/** Softmax statistics of one logit row: the top-k tokens with probabilities, and the entropy. */

export interface TopEntry {
  readonly id: number;
  readonly logit: number;
  readonly prob: number;
}

export function softmaxTopK(logits: Float32Array, k: number): { top: TopEntry[]; entropy: number } {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  let z = 0;
  for (const v of logits) z += Math.exp(v - max);
  const logZ = Math.log(z) + max;
  let entropy = 0;
  for (const v of logits) {
    const lp = v - logZ;
    entropy -= Math.exp(lp) * lp;
  }
  // Partial selection: keep a sorted list of the best k (k is small).
  const best: number[] = [];
  for (let i = 0; i < logits.length; i++) {
    if (best.length === k && logits[i] <= logits[best[k - 1]]) continue;
    let j = best.length === k ? k - 1 : best.length;
    while (j > 0 && logits[best[j - 1]] < logits[i]) {
      best[j] = best[j - 1];
      j--;
    }
    best[j] = i;
    if (best.length > k) best.length = k;
  }
  return { top: best.map((id) => ({ id, logit: logits[id], prob: Math.exp(logits[id] - logZ) })), entropy };
}

/** 0-based rank of `id` in the row (number of strictly larger logits). */
export function rankOf(logits: Float32Array, id: number): number {
  const v = logits[id];
  let rank = 0;
  for (const x of logits) if (x > v) rank++;
  return rank;
}
