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

/** A sublayer's output → its residual write: the post norm (ln1_post / ln2_post) when there is one. */
export async function residualWrite(ctx: ForwardContext, layer: number, out: Tensor, postNorm: NormWeights<Tensor> | undefined, which: 1 | 2): Promise<Tensor> {
  const written = postNorm
    ? await applyNorm(ctx, out, postNorm, { scale: hook.lnPostScale(layer, which), normalized: hook.lnPostNormalized(layer, which) })
    : out;
  return ctx.hooks.at(which === 1 ? hook.attnOut(layer) : hook.mlpOut(layer), written, ctx.site);
}

/** The MLP sublayer from the stream it reads: pre-norm, MLP, post-norm, hook_mlp_out. */
export async function mlpSublayer(ctx: ForwardContext, layer: number, x: Tensor, w: BlockWeights<Tensor>): Promise<Tensor> {
  const out = await mlp(ctx, layer, await sublayerInput(ctx, layer, x, w.ln2, 2), w.mlp);
  return residualWrite(ctx, layer, out, w.ln2Post, 2);
}

export async function block(ctx: ForwardContext, layer: number, x: Tensor, w: BlockWeights<Tensor>, past?: LayerKv, trimKv = false): Promise<BlockOutput> {
  const { backend: b, hooks, spec } = ctx;
  const residPre = await hooks.at(hook.residPre(layer), x, ctx.site);
  const attn = await attention(ctx, layer, await sublayerInput(ctx, layer, residPre, w.ln1, 1), w.attn, past, trimKv);
  const attnOut = await residualWrite(ctx, layer, attn.out, w.ln1Post, 1);
  let residPost: Tensor;
  if (spec.parallelResidual) {
    const mlpOut = await mlpSublayer(ctx, layer, residPre, w);
    residPost = b.add(b.add(residPre, attnOut), mlpOut);
  } else {
    const residMid = await hooks.at(hook.residMid(layer), b.add(residPre, attnOut), ctx.site);
    const mlpOut = await mlpSublayer(ctx, layer, residMid, w);
    residPost = b.add(residMid, mlpOut);
  }
  return { resid: await hooks.at(hook.residPost(layer), residPost, ctx.site), kv: attn.kv };
}
