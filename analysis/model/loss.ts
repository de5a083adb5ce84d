/**
 * Mean next-token cross-entropy (natural log), TransformerLens `return_type="loss"`: over
 * t = 0..S−2 of −log_softmax(logits[t])[ids[t+1]], real (unpadded) tokens only. Computed on the
 * host in float64 from logits that were read back anyway.
 */

/** log Σ exp(row) with max subtraction, in float64. */
export function logSumExp(row: Float32Array | Float64Array): number {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < row.length; i++) s += Math.exp(row[i] - max);
  return max + Math.log(s);
}

/**
 * Per-row losses for logits [batch, pos, vocab] and left-padded ids [batch·pos]; NaN for rows
 * with fewer than two real tokens. `lse` [batch·pos]: each position's log-sum-exp when the
 * backend computed it (Backend.logSumExp), else it is computed here.
 */
export function rowLosses(logits: Float32Array, ids: Int32Array, valid: Uint8Array, batch: number, pos: number, vocab: number, lse?: Float32Array): number[] {
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    let total = 0;
    let n = 0;
    for (let t = 0; t + 1 < pos; t++) {
      if (!valid[b * pos + t] || !valid[b * pos + t + 1]) continue;
      const row = logits.subarray((b * pos + t) * vocab, (b * pos + t + 1) * vocab);
      total += (lse ? lse[b * pos + t] : logSumExp(row)) - row[ids[b * pos + t + 1]];
      n++;
    }
    out.push(n > 0 ? total / n : NaN);
  }
  return out;
}
