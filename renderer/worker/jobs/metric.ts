/**
 * Default metric tokens for the views: the answer is the model's top token on the clean prompt
 * at the metric position, the wrong token the top token on the corrupted prompt (when it
 * differs). Explicit choices from the UI win.
 */
import { argmax } from '../../../analysis/model/sampling.ts';
import type { Model } from '../../../analysis/model/model.ts';
import { run } from '../../../analysis/model/run.ts';
import type { MetricParams } from '../method-contracts.ts';
import { JobInputError } from '../errors.ts';

export interface ResolvedMetric {
  readonly answer: number;
  readonly wrong: number | undefined;
  readonly pos: number;
}

async function topTokenAt(model: Model, ids: readonly number[], pos: number): Promise<number> {
  const out = await run(model, { ids }, { logits: 'all' });
  const V = model.spec.dVocab;
  return argmax(out.logits!.data.subarray(pos * V, (pos + 1) * V));
}

export function resolvePos(params: MetricParams, length: number): number {
  const pos = params.pos ?? length - 1;
  if (!Number.isInteger(pos) || pos < 0 || pos >= length) throw new JobInputError(`Position ${pos} is outside the prompt (0–${length - 1}).`);
  return pos;
}

export async function resolveMetric(model: Model, params: MetricParams, clean: readonly number[], corrupted?: readonly number[]): Promise<ResolvedMetric> {
  const pos = resolvePos(params, clean.length);
  const answer = params.answer ?? (await topTokenAt(model, clean, pos));
  let wrong = params.wrong;
  if (wrong === undefined && corrupted) {
    const top = await topTokenAt(model, corrupted, pos);
    if (top !== answer) wrong = top;
  }
  if (wrong === answer) throw new JobInputError('The answer and the wrong token are the same token; the logit difference would be 0.');
  return { answer, wrong, pos };
}

/** Token texts of the ids a result names (null/undefined skipped). */
export function tokenTexts(model: Model, ...ids: (number | null | undefined)[]): Record<number, string> {
  const out: Record<number, string> = {};
  for (const id of ids) if (id !== null && id !== undefined) out[id] = model.tokenizer?.tokenString(id) ?? `#${id}`;
  return out;
}
