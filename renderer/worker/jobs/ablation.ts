/**
 * Head ablation: the per-head sweep (analysis/methods/ablation-sweep.ts), one layer per call so
 * the job reports layers done and stops between layers; and one head in detail
 * (analysis/methods/ablation.ts) with the tokens whose probability moved.
 */
import { ablateHeads } from '../../../analysis/methods/ablation.ts';
import type { AblationSweepResult } from '../../../analysis/methods/ablation-sweep.ts';
import { headAblationSweep } from '../../../analysis/methods/ablation-sweep.ts';
import { extremeIds } from '../../../analysis/methods/token-scores.ts';
import type { Model } from '../../../analysis/model/model.ts';
import type { JobContext } from '../job-context.ts';
import type { AblateHeadParams, AblateHeadResult, AblationParams, AblationSweepJobResult, TokenDelta } from '../method-contracts.ts';
import type { EngineSession } from '../session.ts';
import { resolvePos, tokenTexts } from './metric.ts';

function sourceOptions(session: EngineSession, params: AblationParams) {
  return {
    mode: params.mode,
    ...(params.mode === 'resample' && params.resampleIds ? { resampleFrom: { ids: session.requireIds(params.resampleIds) } } : {}),
  };
}

export async function ablationSweep(session: EngineSession, params: AblationParams, ctx: JobContext): Promise<AblationSweepJobResult> {
  const model = session.requireModel();
  const ids = session.requireIds(params.ids);
  const pos = resolvePos(params, ids.length);
  const L = model.spec.nLayers;
  const parts: AblationSweepResult[] = [];
  // The first layer fixes the answer (argmax) so every layer reads the same metric.
  let answer = params.answer;
  for (let l = 0; l < L; l++) {
    ctx.progress(l, L, 'layers', 'ablating heads');
    await ctx.checkpoint();
    const part = await headAblationSweep(ctx.watch(model), { ids }, { ...sourceOptions(session, params), pos, answer, wrong: params.wrong, layers: [l] });
    answer = part.answer;
    parts.push(part);
  }
  ctx.progress(L, L, 'layers', 'ablating heads');
  const rows = <K extends 'metric' | 'loss' | 'kl' | 'dla' | 'totalEffect' | 'directEffect' | 'selfRepair'>(key: K) => parts.map((p) => p[key][0]);
  const first = parts[0];
  return {
    ...first,
    layers: parts.map((p) => p.layers[0]),
    metric: rows('metric'),
    loss: rows('loss'),
    kl: rows('kl'),
    dla: rows('dla'),
    totalEffect: rows('totalEffect'),
    directEffect: rows('directEffect'),
    selfRepair: rows('selfRepair'),
    tokenTexts: tokenTexts(model, first.answer, first.wrong),
  };
}

function softmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  const out = Float64Array.from(logits, (v) => Math.exp(v - max));
  const z = out.reduce((a, v) => a + v, 0);
  return out.map((v) => v / z);
}

function deltas(model: Model, ids: number[], clean: Float64Array, ablated: Float64Array): TokenDelta[] {
  return ids.map((id) => ({ id, text: model.tokenizer?.tokenString(id) ?? `#${id}`, clean: clean[id], ablated: ablated[id] }));
}

export async function ablateHead(session: EngineSession, params: AblateHeadParams, ctx: JobContext): Promise<AblateHeadResult> {
  const model = session.requireModel();
  const ids = session.requireIds(params.ids);
  const r = await ablateHeads(ctx.watch(model), { ids }, {
    ...sourceOptions(session, params),
    heads: [{ layer: params.layer, head: params.head }],
    pos: resolvePos(params, ids.length),
    answer: params.answer,
    wrong: params.wrong,
  });
  const pClean = softmax(r.clean.logits);
  const pAblated = softmax(r.logits);
  const { logits: _l, clean, interventions: _i, ...rest } = r;
  return {
    ...rest,
    cleanMetric: clean.metric,
    cleanLoss: clean.loss,
    cleanTop: deltas(model, extremeIds(r.clean.logits, params.topK), pClean, pAblated),
    ablatedTop: deltas(model, extremeIds(r.logits, params.topK), pClean, pAblated),
  };
}
