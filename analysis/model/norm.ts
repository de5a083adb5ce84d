/**
 * LayerNorm and RMSNorm with their hook points. `hook_scale` is the divisor including eps
 * (σ for LayerNorm, RMS for RMSNorm). `hook_normalized` follows TransformerLens: the full
 * LayerNorm output (after weight and bias), but RMSNorm's `x / scale` before the weight.
 */
import type { Tensor } from '../../gpu/backend.ts';
import type { NormWeights } from './weights.ts';
import type { ForwardContext } from './context.ts';

export interface NormHooks {
  readonly scale: string; // [batch, pos, 1]
  readonly normalized: string; // [batch, pos, dModel]
}

export async function applyNorm(ctx: ForwardContext, x: Tensor, w: NormWeights<Tensor>, names: NormHooks): Promise<Tensor> {
  const { backend: b, spec, hooks } = ctx;
  const center = spec.normalization === 'layernorm';
  const scale = await hooks.at(names.scale, b.normScale(x, center, spec.normEps), ctx.site);
  const unit = b.normalize(x, scale, center);
  if (center) {
    const full = w.b ? b.add(b.mul(unit, w.w), w.b) : b.mul(unit, w.w);
    return hooks.at(names.normalized, full, ctx.site);
  }
  return b.mul(await hooks.at(names.normalized, unit, ctx.site), w.w);
}
