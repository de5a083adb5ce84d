/** Direct logit attribution: analysis/methods/dla.ts. */
import { directLogitAttribution } from '../../../analysis/methods/dla.ts';
import type { JobContext } from '../job-context.ts';
import type { DlaJobResult, DlaParams } from '../method-contracts.ts';
import type { EngineSession } from '../session.ts';
import { resolvePos, tokenTexts } from './metric.ts';

export async function dla(session: EngineSession, params: DlaParams, ctx: JobContext): Promise<DlaJobResult> {
  const model = session.requireModel();
  const ids = session.requireIds(params.ids);
  const result = await directLogitAttribution(ctx.watch(model), { ids }, {
    answer: params.answer,
    wrong: params.wrong,
    pos: resolvePos(params, ids.length),
    perSource: params.perSource,
  });
  return { ...result, tokenTexts: tokenTexts(model, result.answer, result.wrong) };
}
