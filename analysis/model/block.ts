/**
 * One transformer block: sequential (GPT-2, Llama, Qwen, Phi-3, Mistral), with sandwich norms
 * (Gemma: ln1 → attention → ln1_post, ln2 → MLP → ln2_post), post-norm (OLMo-2: attention →
 * ln1_post, MLP → ln2_post) or parallel residual (GPT-NeoX). hook_attn_out and hook_mlp_out are
 * always exactly what is added to the residual stream (after a post-sublayer norm).
 */
import type { Tensor } from '../../gpu/backend.ts';
import { hook } from '../hooks/points.ts';
import type { LayerKv } from './attention.ts';
import { attention } from './attention.ts';
import type { ForwardContext } from './context.ts';
import { canFuseLinear, rowNorm, unobserved, type SublayerInput } from './fusion.ts';
import { mlp } from './mlp.ts';
import { applyNorm } from './norm.ts';
import type { BlockWeights, NormWeights } from './weights.ts';

export interface BlockOutput {
  readonly resid: Tensor;
  readonly kv: LayerKv;
}

/** A pre-norm (ln1 / ln2) when the block has one, else the stream as it is (OLMo-2). */
export async function sublayerInput(ctx: ForwardContext, layer: number, x: Tensor, norm: NormWeights<Tensor> | undefined, which: 1 | 2): Promise<Tensor> {
  return norm ? applyNorm(ctx, x, norm, { scale: hook.lnScale(layer, which), normalized: hook.lnNormalized(layer, which) }) : x;
}

/**
 * The pre-norm deferred into the sublayer's linears (one fused op each) when the backend fuses
 * and no hook reads the norm's scale or output; otherwise applied here.
 */
export async function deferredInput(ctx: ForwardContext, layer: number, x: Tensor, norm: NormWeights<Tensor> | undefined, which: 1 | 2): Promise<SublayerInput> {
  if (norm && canFuseLinear(ctx) && unobserved(ctx, hook.lnScale(layer, which), hook.lnNormalized(layer, which))) {
    return { x, norm: rowNorm(ctx, norm) };
  }
  return { x: await sublayerInput(ctx, layer, x, norm, which) };
}

/** Whether a sublayer's residual add can go into its output projection: no post norm, no hook on its output. */
function fusesResidual(ctx: ForwardContext, layer: number, w: BlockWeights<Tensor>, which: 1 | 2): boolean {
  const postNorm = which === 1 ? w.ln1Post : w.ln2Post;
  const outputs = which === 1 ? [hook.attnOut(layer), hook.result(layer)] : [hook.mlpOut(layer)];
  return canFuseLinear(ctx) && postNorm === undefined && unobserved(ctx, ...outputs);
}

/** A sublayer's output → its residual write: the post norm (ln1_post / ln2_post) when there is one. */
export async function residualWrite(ctx: ForwardContext, layer: number, out: Tensor, postNorm: NormWeights<Tensor> | undefined, which: 1 | 2): Promise<Tensor> {
  const written = postNorm
    ? await applyNorm(ctx, out, postNorm, { scale: hook.lnPostScale(layer, which), normalized: hook.lnPostNormalized(layer, which) })
    : out;
  return ctx.hooks.at(which === 1 ? hook.attnOut(layer) : hook.mlpOut(layer), written, ctx.site);
}

/**
 * The MLP sublayer from the stream it reads: pre-norm, MLP, post-norm, hook_mlp_out. With
 * `residual`, returns residual + that write (the add fused into the down projection when it can be).
 */
export async function mlpSublayer(ctx: ForwardContext, layer: number, x: Tensor, w: BlockWeights<Tensor>, residual?: Tensor): Promise<Tensor> {
  const input = await deferredInput(ctx, layer, x, w.ln2, 2);
  const fused = residual !== undefined && fusesResidual(ctx, layer, w, 2);
  const out = await mlp(ctx, layer, input.x, w.mlp, { norm: input.norm, residual: fused ? residual : undefined });
  if (fused) return out;
  const written = await residualWrite(ctx, layer, out, w.ln2Post, 2);
  return residual ? ctx.backend.add(residual, written) : written;
}

export async function block(ctx: ForwardContext, layer: number, x: Tensor, w: BlockWeights<Tensor>, past?: LayerKv, trimKv = false): Promise<BlockOutput> {
  const { backend: b, hooks, spec } = ctx;
  const residPre = await hooks.at(hook.residPre(layer), x, ctx.site);
  const input = await deferredInput(ctx, layer, residPre, w.ln1, 1);
  // With the residual add fused into W_O, attn.out is already residPre + hook_attn_out.
  const fused = fusesResidual(ctx, layer, w, 1);
  const attn = await attention(ctx, layer, input.x, w.attn, past, trimKv, { norm: input.norm, residual: fused ? residPre : undefined });
  const withAttn = fused ? attn.out : b.add(residPre, await residualWrite(ctx, layer, attn.out, w.ln1Post, 1));
  let residPost: Tensor;
  if (spec.parallelResidual) {
    residPost = await mlpSublayer(ctx, layer, residPre, w, withAttn);
  } else {
    const residMid = await hooks.at(hook.residMid(layer), withAttn, ctx.site);
    residPost = await mlpSublayer(ctx, layer, residMid, w, residMid);
  }
  return { resid: await hooks.at(hook.residPost(layer), residPost, ctx.site), kv: attn.kv };
}
