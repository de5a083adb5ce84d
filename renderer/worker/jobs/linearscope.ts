/** LinearScope decomposition and pull-back decoding: analysis/methods/linearscope.ts. */
import { linearScope } from '../../../analysis/methods/linearscope.ts';
import type { JobContext } from '../job-context.ts';
import type { LinearScopeJobResult, LinearScopeParams } from '../method-contracts.ts';
import type { EngineSession } from '../session.ts';
import { resolveMetric, tokenTexts } from './metric.ts';
import { passCounter } from './passes.ts';

export async function linearScopeJob(session: EngineSession, params: LinearScopeParams, ctx: JobContext): Promise<LinearScopeJobResult> {
  const model = session.requireModel();
  const ids = session.requireIds(params.ids);
  const metric = await resolveMetric(ctx.watch(model), params, ids);
  const watched = passCounter(ctx, model, ids.length + 2 * model.spec.nLayers + 4, `LinearScope (${params.mode})`);
  const { pullBacks: _dropped, ...result } = await linearScope(watched, { ids }, {
    target: metric.answer,
    wrong: metric.wrong,
    position: metric.pos,
    mode: params.mode,
    decodeTopK: params.decodeTopK,
  });
  return { ...result, tokenTexts: tokenTexts(model, metric.answer, metric.wrong) };
}
