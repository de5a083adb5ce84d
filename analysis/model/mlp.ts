/**
 * The MLP: act(x W_inᵀ + b_in) W_outᵀ + b_out, or gated (SwiGLU / GeGLU) down(act(gate(x)) ⊙ up(x)).
 * For gated MLPs hook_pre is the gate input and hook_pre_linear the up projection (TL names).
 * Returns the output before any post-MLP norm; block.ts hooks hook_mlp_out (the residual write).
 */
import type { Tensor } from '../../gpu/backend.ts';
import { hook } from '../hooks/points.ts';
import type { ForwardContext } from './context.ts';
import type { MlpWeights } from './weights.ts';

export async function mlp(ctx: ForwardContext, layer: number, x: Tensor, w: MlpWeights<Tensor>): Promise<Tensor> {
  const { backend: b, spec, hooks } = ctx;
  let post: Tensor;
  if (spec.gatedMlp) {
    if (!w.wGate) throw new Error(`layer ${layer}: gated MLP without a gate projection`);
    const pre = await hooks.at(hook.mlpPre(layer), b.linear(x, w.wGate), ctx.site);
    const linear = await hooks.at(hook.mlpPreLinear(layer), b.linear(x, w.wIn, w.bIn), ctx.site);
    post = b.mul(b.unary(pre, spec.activation), linear);
  } else {
    const pre = await hooks.at(hook.mlpPre(layer), b.linear(x, w.wIn, w.bIn), ctx.site);
    post = b.unary(pre, spec.activation);
  }
  post = await hooks.at(hook.mlpPost(layer), post, ctx.site);
  return b.linear(post, w.wOut, w.bOut);
}
