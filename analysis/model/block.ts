/**
 * One transformer block: sequential (GPT-2, Llama, Qwen2) or parallel residual (GPT-NeoX).
 */
import type { Tensor } from '../../gpu/backend.ts';
import { hook } from '../hooks/points.ts';
import type { LayerKv } from './attention.ts';
import { attention } from './attention.ts';
import type { ForwardContext } from './context.ts';
import { mlp } from './mlp.ts';
import { applyNorm } from './norm.ts';
import type { BlockWeights } from './weights.ts';

export interface BlockOutput {
  readonly resid: Tensor;
  readonly kv: LayerKv;
}

export async function block(ctx: ForwardContext, layer: number, x: Tensor, w: BlockWeights<Tensor>, past?: LayerKv): Promise<BlockOutput> {
  const { backend: b, hooks, spec } = ctx;
  const residPre = await hooks.at(hook.residPre(layer), x, ctx.site);
  const ln1 = { scale: hook.lnScale(layer, 1), normalized: hook.lnNormalized(layer, 1) };
  const ln2 = { scale: hook.lnScale(layer, 2), normalized: hook.lnNormalized(layer, 2) };
  const attn = await attention(ctx, layer, await applyNorm(ctx, residPre, w.ln1, ln1), w.attn, past);
  let residPost: Tensor;
  if (spec.parallelResidual) {
    const mlpOut = await mlp(ctx, layer, await applyNorm(ctx, residPre, w.ln2, ln2), w.mlp);
    residPost = b.add(b.add(residPre, attn.out), mlpOut);
  } else {
    const residMid = await hooks.at(hook.residMid(layer), b.add(residPre, attn.out), ctx.site);
    const mlpOut = await mlp(ctx, layer, await applyNorm(ctx, residMid, w.ln2, ln2), w.mlp);
    residPost = b.add(residMid, mlpOut);
  }
  return { resid: await hooks.at(hook.residPost(layer), residPost, ctx.site), kv: attn.kv };
}
