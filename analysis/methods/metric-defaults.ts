/**
 * The metric's default tokens, shared by every front end (METHODS.md: the default metric is the
 * logit difference logit[a] − logit[b] at one position): the answer a is the model's top token
 * on the clean input at that position; the wrong token b, unless chosen, is the top token on the
 * corrupted input there, when there is one and it differs from a (else the metric is logit[a]
 * alone). Tokens the user chose win. The CLI, notebooks and the app all use these defaults.
 */
import type { Model } from '../model/model.ts';
import { run } from '../model/run.ts';
import { argmax } from '../model/sampling.ts';

/** The answer and the wrong token are one token: the logit difference would be 0. */
export class SameMetricTokenError extends Error {
  constructor(id: number) {
    super(`the answer and the wrong token are the same token (${id}); the logit difference would be 0`);
    this.name = 'SameMetricTokenError';
  }
}

export interface MetricTokens {
  readonly answer: number;
  readonly wrong: number | undefined;
}

async function topTokenAt(model: Model, ids: readonly number[], pos: number): Promise<number> {
  const out = await run(model, { ids: [...ids] }, { logits: 'all' });
  const V = model.spec.dVocab;
  return argmax(out.logits!.data.subarray(pos * V, (pos + 1) * V));
}

/** `pos` is absolute (0 ≤ pos < clean.length). */
export async function metricTokens(model: Model, clean: readonly number[], pos: number, chosen: { answer?: number; wrong?: number }, corrupted?: readonly number[]): Promise<MetricTokens> {
  const answer = chosen.answer ?? (await topTokenAt(model, clean, pos));
  let wrong = chosen.wrong;
  if (wrong === undefined && corrupted) {
    const top = await topTokenAt(model, corrupted, pos);
    if (top !== answer) wrong = top;
  }
  if (wrong === answer) throw new SameMetricTokenError(answer);
  return { answer, wrong };
}
