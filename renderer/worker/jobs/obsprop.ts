/**
 * ObsProp: analysis/methods/obsprop.ts, plus the coupling matrix C(y_i, y_j) of the heads with
 * the largest feature norms (couplingCoefficient from the method's module).
 */
import { obsprop } from '../../../analysis/methods/obsprop.ts';
import { couplingCoefficient } from '../../../analysis/methods/obsprop-features.ts';
import { JobInputError } from '../errors.ts';
import type { JobContext } from '../job-context.ts';
import type { ObsPropJobResult, ObsPropParams } from '../method-contracts.ts';
import type { EngineSession } from '../session.ts';
import { passCounter } from './passes.ts';

export async function obspropJob(session: EngineSession, params: ObsPropParams, ctx: JobContext): Promise<ObsPropJobResult> {
  const model = session.requireModel();
  const ids = session.requireIds(params.ids);
  if (params.positive.length === 0) throw new JobInputError('Give at least one positive token for the observable.');
  const { nLayers: L, nHeads: H } = model.spec;
  const watched = passCounter(ctx, model, 4 + L * H * (params.effects === 'none' ? 1 : 2) + 2 * L, 'propagating the observable');
  const { cosine: _cosine, ...result } = await obsprop(watched, {
    positive: [...params.positive],
    negative: [...params.negative],
    prompt: { ids },
    pos: params.pos,
    scales: params.scales,
    effects: params.effects,
    topK: params.topK,
    similarity: false,
  });
  const top = result.ranking.slice(0, Math.max(1, Math.min(params.couplingHeads, result.ranking.length)));
  const feature = (h: { layer: number; head: number }) => result.heads[h.layer][h.head].feature;
  const coupling = top.map((a) => top.map((b) => couplingCoefficient(feature(a), feature(b))));
  return { ...result, couplingHeads: top.map(({ layer, head }) => ({ layer, head })), coupling };
}
