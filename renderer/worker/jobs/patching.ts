/**
 * Activation patching, path patching and attribution patching over the clean/corrupted pair
 * (analysis/methods/patching.ts, path-patching.ts, attribution-patching.ts). Progress counts
 * forward passes against the sweep's own plan (planGroups), so the bar is close to exact.
 */
import { attributionPatching } from '../../../analysis/methods/attribution-patching.ts';
import type { Corruption } from '../../../analysis/methods/corruption.ts';
import { activationPatching } from '../../../analysis/methods/patching.ts';
import { pathPatching } from '../../../analysis/methods/path-patching.ts';
import { sweepPasses } from '../../../analysis/registry/patch-setup.ts';
import type { JobContext } from '../job-context.ts';
import type {
  AttributionJobResult,
  AttributionParams,
  CorruptionParams,
  PatchingJobResult,
  PatchingParams,
  PathPatchingJobResult,
  PathPatchingParams,
} from '../method-contracts.ts';
import type { EngineSession } from '../session.ts';
import { resolveMetric, tokenTexts } from './metric.ts';
import { passCounter } from './passes.ts';

function corruption(session: EngineSession, params: CorruptionParams): Corruption {
  return params.kind === 'tokens' ? { kind: 'tokens', ids: session.requireIds(params.ids) } : { kind: 'noise', positions: [...params.positions], seed: params.seed };
}

function corruptedIds(params: CorruptionParams): readonly number[] | undefined {
  return params.kind === 'tokens' ? params.ids : undefined;
}

export async function patching(session: EngineSession, params: PatchingParams, ctx: JobContext): Promise<PatchingJobResult> {
  const model = session.requireModel();
  const clean = session.requireIds(params.clean);
  const metric = await resolveMetric(ctx.watch(model), params, clean, corruptedIds(params.corruption));
  const watched = passCounter(ctx, model, sweepPasses(model, params.hook, params.byPosition, clean.length, metric.pos), `patching ${params.hook}`);
  const result = await activationPatching(watched, {
    clean,
    corruption: corruption(session, params.corruption),
    hook: params.hook,
    byPosition: params.byPosition && params.hook !== 'pattern',
    metric: { answer: metric.answer, wrong: metric.wrong },
    position: metric.pos,
    direction: params.direction,
  });
  return { ...result, answer: metric.answer, wrong: metric.wrong ?? null, tokenTexts: tokenTexts(model, metric.answer, metric.wrong) };
}

export async function pathPatchingJob(session: EngineSession, params: PathPatchingParams, ctx: JobContext): Promise<PathPatchingJobResult> {
  const model = session.requireModel();
  const clean = session.requireIds(params.clean);
  const metric = await resolveMetric(ctx.watch(model), params, clean, corruptedIds(params.corruption));
  const { nLayers: L, nHeads: H } = model.spec;
  const perSender = params.receiver === 'logits' ? 1 : 2;
  const watched = passCounter(ctx, model, 3 + L * H * perSender, 'path patching');
  const result = await pathPatching(watched, {
    clean,
    corruption: corruption(session, params.corruption),
    senders: 'each-head',
    receivers: params.receiver === 'logits' ? 'logits' : [params.receiver],
    metric: { answer: metric.answer, wrong: metric.wrong },
    position: metric.pos,
    recomputeMlps: params.recomputeMlps,
  });
  return { ...result, answer: metric.answer, wrong: metric.wrong ?? null, tokenTexts: tokenTexts(model, metric.answer, metric.wrong) };
}

export async function attribution(session: EngineSession, params: AttributionParams, ctx: JobContext): Promise<AttributionJobResult> {
  const model = session.requireModel();
  const clean = session.requireIds(params.clean);
  const metric = await resolveMetric(ctx.watch(model), params, clean, corruptedIds(params.corruption));
  const watched = passCounter(ctx, model, 6 + sweepPasses(model, params.hook, params.byPosition, clean.length, metric.pos), 'attribution and exact patching');
  const result = await attributionPatching(watched, {
    clean,
    corruption: corruption(session, params.corruption),
    hook: params.hook,
    byPosition: params.byPosition && params.hook !== 'pattern',
    answer: metric.answer,
    wrong: metric.wrong,
    position: metric.pos,
    exact: true,
  });
  return { ...result, answer: metric.answer, wrong: metric.wrong ?? null, tokenTexts: tokenTexts(model, metric.answer, metric.wrong) };
}
