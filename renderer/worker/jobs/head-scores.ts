/** Head scores on repeated random tokens (and successor scores): analysis/methods/head-scores.ts. */
import { headScores } from '../../../analysis/methods/head-scores.ts';
import { JobInputError } from '../errors.ts';
import type { JobContext } from '../job-context.ts';
import type { HeadScoresJobResult, HeadScoresParams } from '../method-contracts.ts';
import type { EngineSession } from '../session.ts';
import { passCounter } from './passes.ts';

export async function headScoresJob(session: EngineSession, params: HeadScoresParams, ctx: JobContext): Promise<HeadScoresJobResult> {
  const model = session.requireModel();
  const length = 2 * params.n + (params.prependBos ? 1 : 0);
  if (params.n < 2 || length > model.spec.nCtx) throw new JobInputError(`Sequences of 2 × ${params.n} tokens do not fit the context of ${model.spec.nCtx}.`);
  const watched = passCounter(ctx, model, 2 + (params.successor ? model.spec.nLayers + 4 : 0), 'scoring heads');
  const result = await headScores(watched, { n: params.n, batch: params.batch, seed: params.seed, prependBos: params.prependBos, successor: params.successor });
  const texts = result.ids.map((row) => row.map((id) => model.tokenizer?.tokenString(id) ?? `#${id}`));
  return { ...result, texts };
}
