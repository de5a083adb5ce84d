/**
 * Multi-head attention with GQA, rotary (full or partial, per-layer theta and RoPE scaling) or
 * learned positions, q/k norms, sliding windows, score softcapping and a KV cache.
 * hook_k / hook_v hold only this call's positions; the cache holds rotated keys and values. For
 * a sliding-window layer the cache keeps only the keys a later query can still see.
 */
import type { AttentionMask, RowNorm, Tensor } from '../../gpu/backend.ts';
import type { HookSite } from '../hooks/interventions.ts';
import { hook } from '../hooks/points.ts';
import type { ForwardContext } from './context.ts';
import { project, unobserved } from './fusion.ts';
import { applyNorm } from './norm.ts';
import { layerRope } from './rope.ts';
import { layerAttention } from './spec.ts';
import type { AttentionWeights, NormWeights } from './weights.ts';

/** Keys (after rotary) and values of earlier positions for one layer. */
export interface LayerKv {
  readonly k: Tensor; // [batch, kvPos − dropped, kvHead, dHead]
  readonly v: Tensor; // [batch, kvPos − dropped, kvHead, dHead]
  /** Leading key positions no longer kept (outside a sliding window of every later query). */
  readonly dropped: number;
}

export interface AttentionOutput {
  /** [batch, pos, dModel] z·W_O + b_O, before any post-attention norm. */
  readonly out: Tensor;
  readonly kv: LayerKv;
}

/** The attention scale: query_pre_attn_scalar^−½ (Gemma) or dHead^−½. */
export function attentionScale(ctx: Pick<ForwardContext, 'spec'>): number {
  return ctx.spec.attnScale ?? 1 / Math.sqrt(ctx.spec.dHead);
}

/**
 * The mask of `layer` over keys [dropped, kvPos) and the matching hook site (which keys each
 * query sees, with the window), so interventions and the backward pass agree with the kernel.
 */
export function layerMask(ctx: ForwardContext, layer: number, dropped = 0): { mask: AttentionMask; site: Omit<HookSite, 'point'> } {
  const window = layerAttention(ctx.spec, layer).window;
  const kv = ctx.kvPos - dropped;
  let keyValid = ctx.keyValid;
  if (dropped > 0) {
    keyValid = new Uint8Array(ctx.batch * kv);
    for (let b = 0; b < ctx.batch; b++) keyValid.set(ctx.keyValid.subarray(b * ctx.kvPos + dropped, (b + 1) * ctx.kvPos), b * kv);
  }
  const queryOffset = ctx.posOffset - dropped;
  const mask: AttentionMask = window === null ? { queryOffset, keyValid } : { queryOffset, keyValid, window };
  const attends = (b: number, i: number, j: number) =>
    j <= queryOffset + i && (window === null || j > queryOffset + i - window) && keyValid[b * kv + j] === 1;
  return { mask, site: { ...ctx.attnSite, attends, keyOffset: dropped } };
}

/** q_norm / k_norm: per head over dHead, or over the whole projection (OLMo-2). */
async function qkNorm(ctx: ForwardContext, layer: number, x: Tensor, w: NormWeights<Tensor>, which: 'q' | 'k'): Promise<Tensor> {
  const { backend: b, spec } = ctx;
  const names = { scale: hook.qkNormScale(layer, which), normalized: hook.qkNormNormalized(layer, which) };
  if (spec.qkNorm === 'head') return applyNorm(ctx, x, w, names);
  const [batch, pos, heads, dHead] = x.shape;
  const flat = await applyNorm(ctx, b.reshape(x, [batch, pos, heads * dHead]), w, names);
  return b.reshape(flat, x.shape);
}

export async function attention(
  ctx: ForwardContext,
  layer: number,
  x: Tensor, // [batch, pos, dModel], already normalised (or the raw stream for post-norm blocks)
  w: AttentionWeights<Tensor>,
  past: LayerKv | undefined,
  trimKv = false,
  /**
   * block.ts's fusion plan (see fusion.ts): `norm` is x's deferred pre-norm; with `residual` the
   * returned out is residual + z·W_O + b_O, the add fused into W_O (no post norm, no hook on it).
   */
  fused: { readonly norm?: RowNorm; readonly residual?: Tensor } = {},
): Promise<AttentionOutput> {
  const { backend: b, spec, hooks, batch, pos } = ctx;
  const heads = (t: Tensor, n: number) => b.reshape(t, [batch, pos, n, spec.dHead]);
  const input = { x, norm: fused.norm };
  let q = await hooks.at(hook.q(layer), heads(project(ctx, input, w.wQ, w.bQ), spec.nHeads), ctx.site);
  let k = await hooks.at(hook.k(layer), heads(project(ctx, input, w.wK, w.bK), spec.nKvHeads), ctx.site);
  const v = await hooks.at(hook.v(layer), heads(project(ctx, input, w.wV, w.bV), spec.nKvHeads), ctx.site);
  if (w.qNorm && w.kNorm) {
    q = await qkNorm(ctx, layer, q, w.qNorm, 'q');
    k = await qkNorm(ctx, layer, k, w.kNorm, 'k');
  }
  if (spec.positional === 'rotary') {
    const rope = layerRope(layerAttention(spec, layer), spec.rotaryDims, ctx.positions);
    q = await hooks.at(hook.rotQ(layer), b.rope(q, ctx.positions, spec.rotaryDims, rope.theta, rope.freqs), ctx.site);
    k = await hooks.at(hook.rotK(layer), b.rope(k, ctx.positions, spec.rotaryDims, rope.theta, rope.freqs), ctx.site);
  }
  const dropped = past?.dropped ?? 0;
  const kAll = past ? b.concat([past.k, k], 1) : k;
  const vAll = past ? b.concat([past.v, v], 1) : v;
  const { mask, site } = layerMask(ctx, layer, dropped);
  let z: Tensor;
  if (b.attention && unobserved(ctx, hook.attnScores(layer), hook.pattern(layer))) {
    // Nobody reads the scores or the pattern: one fused pass that never materialises them.
    z = b.attention(q, kAll, vAll, attentionScale(ctx), mask, spec.attnSoftcap);
  } else {
    const scores = await hooks.at(hook.attnScores(layer), b.attentionScores(q, kAll, attentionScale(ctx), mask, spec.attnSoftcap), site);
    const pattern = await hooks.at(hook.pattern(layer), b.softmax(scores), site);
    z = b.attentionMix(pattern, vAll);
  }
  z = await hooks.at(hook.z(layer), z, ctx.site);
  let out: Tensor;
  if (fused.residual) {
    out = project(ctx, { x: b.reshape(z, [batch, pos, spec.nHeads * spec.dHead]) }, w.wO, w.bO, { residual: fused.residual });
  } else if (hooks.wants(hook.result(layer))) {
    // Per-head outputs only when someone looks at them: [batch, pos, head, dModel] is large.
    const result = await hooks.at(hook.result(layer), b.headResult(z, w.wO), ctx.site);
    const summed = b.reshape(b.sum(result, 2), [batch, pos, spec.dModel]);
    out = w.bO ? b.add(summed, w.bO) : summed;
  } else {
    out = b.linear(b.reshape(z, [batch, pos, spec.nHeads * spec.dHead]), w.wO, w.bO);
  }
  return { out, kv: trimKv ? windowedKv(ctx, layer, kAll, vAll, dropped) : { k: kAll, v: vAll, dropped } };
}

/** Drops the keys that no later query of a sliding-window layer can see (the next query sees window − 1 back). */
function windowedKv(ctx: ForwardContext, layer: number, k: Tensor, v: Tensor, dropped: number): LayerKv {
  const window = layerAttention(ctx.spec, layer).window;
  const kept = k.shape[1];
  if (window === null || kept <= window - 1) return { k, v, dropped };
  const cut = kept - (window - 1);
  const { backend: b } = ctx;
  return { k: b.slice(k, 1, cut, kept), v: b.slice(v, 1, cut, kept), dropped: dropped + cut };
}
