/**
 * Reading a logits row: log-softmax statistics, top/bottom-k tokens and the rank of a token.
 * All in float64 on the host (rows are read back anyway; vocabularies are ≤ ~10⁵).
 */
import { logSumExp } from '../model/loss.ts';
import type { Model } from '../model/model.ts';

export interface TokenScore {
  readonly id: number;
  /** Readable token text (spaces visible), or null without a tokenizer. */
  readonly token: string | null;
  readonly logit: number;
  readonly prob: number;
  readonly logprob: number;
}

export interface TargetScore extends TokenScore {
  /** 0 = the top token: how many tokens have a strictly higher logit. */
  readonly rank: number;
}

export function tokenText(model: Model, id: number): string | null {
  return model.tokenizer ? model.tokenizer.tokenString(id) : null;
}

/**
 * The k ids with the highest (`order` 'top') or lowest ('bottom') values, best first; ties go to
 * the lower id. A bounded insertion list: O(V·k), no full sort of the vocabulary.
 */
export function extremeIds(row: ArrayLike<number>, k: number, order: 'top' | 'bottom' = 'top'): number[] {
  const sign = order === 'top' ? 1 : -1;
  const n = Math.min(k, row.length);
  const ids: number[] = [];
  for (let i = 0; i < row.length; i++) {
    const v = sign * row[i];
    if (ids.length === n && v <= sign * row[ids[n - 1]]) continue;
    let at = ids.length === n ? n - 1 : ids.length;
    while (at > 0 && v > sign * row[ids[at - 1]]) at--;
    ids.splice(at, 0, i);
    if (ids.length > n) ids.pop();
  }
  return ids;
}

export function rankOf(row: ArrayLike<number>, id: number): number {
  let rank = 0;
  const v = row[id];
  for (let i = 0; i < row.length; i++) if (row[i] > v) rank++;
  return rank;
}

/** Scores of the given ids in a logits row whose log-sum-exp is `lse`. */
export function scoreTokens(model: Model, row: ArrayLike<number>, ids: readonly number[], lse: number): TokenScore[] {
  return ids.map((id) => {
    const logprob = row[id] - lse;
    return { id, token: tokenText(model, id), logit: row[id], prob: Math.exp(logprob), logprob };
  });
}

/** The top-k tokens of a logits row with probabilities (softmax over the whole row). */
export function topTokens(model: Model, row: Float32Array, k: number): TokenScore[] {
  return scoreTokens(model, row, extremeIds(row, k), logSumExp(row));
}

/** KL(p‖q) of the softmax distributions of two logits rows, in nats. */
export function klDivergence(p: Float32Array, q: Float32Array): number {
  const lp = logSumExp(p);
  const lq = logSumExp(q);
  let kl = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] - lp;
    if (a === -Infinity) continue;
    kl += Math.exp(a) * (a - (q[i] - lq));
  }
  return kl;
}
