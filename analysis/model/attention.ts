/**
 * Multi-head attention with GQA, rotary (full or partial) or learned positions, and a KV cache.
 * hook_k / hook_v hold only this call's positions; the cache holds rotated keys and values.
 */
import type { Tensor } from '../../gpu/backend.ts';
import { hook } from '../hooks/points.ts';
import type { ForwardContext } from './context.ts';
import type { AttentionWeights } from './weights.ts';

/** Keys (after rotary) and values of earlier positions for one layer. */
export interface LayerKv {
  readonly k: Tensor; // [batch, kvPos, kvHead, dHead]
  readonly v: Tensor; // [batch, kvPos, kvHead, dHead]
}

export interface AttentionOutput {
  readonly out: Tensor; // [batch, pos, dModel]
  readonly kv: LayerKv;
}

export async function attention(
  ctx: ForwardContext,
  layer: number,
  x: Tensor, // [batch, pos, dModel], already normalised
  w: AttentionWeights<Tensor>,
  past: LayerKv | undefined,
): Promise<AttentionOutput> {
  const { backend: b, spec, hooks, batch, pos } = ctx;
  const heads = (t: Tensor, n: number) => b.reshape(t, [batch, pos, n, spec.dHead]);
  let q = await hooks.at(hook.q(layer), heads(b.linear(x, w.wQ, w.bQ), spec.nHeads), ctx.site);
  let k = await hooks.at(hook.k(layer), heads(b.linear(x, w.wK, w.bK), spec.nKvHeads), ctx.site);
  const v = await hooks.at(hook.v(layer), heads(b.linear(x, w.wV, w.bV), spec.nKvHeads), ctx.site);
  if (spec.positional === 'rotary') {
    q = await hooks.at(hook.rotQ(layer), b.rope(q, ctx.positions, spec.rotaryDims, spec.ropeTheta), ctx.site);
    k = await hooks.at(hook.rotK(layer), b.rope(k, ctx.positions, spec.rotaryDims, spec.ropeTheta), ctx.site);
  }
  const kAll = past ? b.concat([past.k, k], 1) : k;
  const vAll = past ? b.concat([past.v, v], 1) : v;
  const mask = { queryOffset: ctx.posOffset, keyValid: ctx.keyValid };
  const scores = await hooks.at(hook.attnScores(layer), b.attentionScores(q, kAll, 1 / Math.sqrt(spec.dHead), mask), ctx.attnSite);
  const pattern = await hooks.at(hook.pattern(layer), b.softmax(scores), ctx.attnSite);
  const z = await hooks.at(hook.z(layer), b.attentionMix(pattern, vAll), ctx.site);
  let out: Tensor;
  if (hooks.wants(hook.result(layer))) {
    // Per-head outputs only when someone looks at them: [batch, pos, head, dModel] is large.
    const result = await hooks.at(hook.result(layer), b.headResult(z, w.wO), ctx.site);
    const summed = b.reshape(b.sum(result, 2), [batch, pos, spec.dModel]);
    out = w.bO ? b.add(summed, w.bO) : summed;
  } else {
    out = b.linear(b.reshape(z, [batch, pos, spec.nHeads * spec.dHead]), w.wO, w.bO);
  }
  return { out: await hooks.at(hook.attnOut(layer), out, ctx.site), kv: { k: kAll, v: vAll } };
}
