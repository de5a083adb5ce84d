/**
 * The MLP: act(x W_inᵀ + b_in) W_outᵀ + b_out, or gated (SwiGLU / GeGLU) down(act(gate(x)) ⊙ up(x)).
 * For gated MLPs hook_pre is the gate input and hook_pre_linear the up projection (TL names).
 * Returns the output before any post-MLP norm; block.ts hooks hook_mlp_out (the residual write).
 */
import type { RowNorm, Tensor } from '../../gpu/backend.ts';
import { hook } from '../hooks/points.ts';
import type { ForwardContext } from './context.ts';
import { canFuseLinear, project, unobserved } from './fusion.ts';
import type { MlpWeights } from './weights.ts';

/**
 * `fused` (block.ts decides, see fusion.ts): `norm` is x's deferred pre-norm; `residual` is added
 * to the output (then returned instead of the bare MLP output). The activation (and the gate
 * product) go into the input projections' epilogues when no hook reads hook_pre / hook_pre_linear.
 */
export async function mlp(
  ctx: ForwardContext,
  layer: number,
  x: Tensor,
  w: MlpWeights<Tensor>,
  fused: { readonly norm?: RowNorm; readonly residual?: Tensor } = {},
): Promise<Tensor> {
  const { backend: b, spec, hooks } = ctx;
  const input = { x, norm: fused.norm };
  const fusable = canFuseLinear(ctx);
  let post: Tensor;
  if (spec.gatedMlp) {
    if (!w.wGate) throw new Error(`layer ${layer}: gated MLP without a gate projection`);
    if (fusable && unobserved(ctx, hook.mlpPre(layer), hook.mlpPreLinear(layer))) {
      const gate = project(ctx, input, w.wGate, undefined, { activation: spec.activation });
      post = project(ctx, input, w.wIn, w.bIn, { multiply: gate });
    } else {
      const pre = await hooks.at(hook.mlpPre(layer), project(ctx, input, w.wGate), ctx.site);
      const linear = await hooks.at(hook.mlpPreLinear(layer), project(ctx, input, w.wIn, w.bIn), ctx.site);
      post = b.mul(b.unary(pre, spec.activation), linear);
    }
  } else if (fusable && unobserved(ctx, hook.mlpPre(layer))) {
    post = project(ctx, input, w.wIn, w.bIn, { activation: spec.activation });
  } else {
    const pre = await hooks.at(hook.mlpPre(layer), project(ctx, input, w.wIn, w.bIn), ctx.site);
    post = b.unary(pre, spec.activation);
  }
  post = await hooks.at(hook.mlpPost(layer), post, ctx.site);
  return project(ctx, { x: post }, w.wOut, w.bOut, fused.residual ? { residual: fused.residual } : {});
}
