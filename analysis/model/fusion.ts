/**
 * Where the forward pass may use a backend's fused ops (Backend.linearFused, Backend.attention):
 * only when the backend has them and no hook observes or changes what the fusion skips, so a
 * capture, intervention or callback always sees the unfused computation.
 */
import type { LinearFusion, RowNorm, Tensor } from '../../gpu/backend.ts';
import type { ForwardContext } from './context.ts';
import type { NormWeights } from './weights.ts';

/** A sublayer's input: the stream with its pre-norm deferred into the linears that read it, or already normalised. */
export interface SublayerInput {
  readonly x: Tensor;
  readonly norm?: RowNorm;
}

export function canFuseLinear(ctx: Pick<ForwardContext, 'backend'>): boolean {
  return ctx.backend.linearFused !== undefined;
}

/** The model's norm as `linearFused` applies it. */
export function rowNorm(ctx: Pick<ForwardContext, 'spec'>, w: NormWeights<Tensor>): RowNorm {
  return { center: ctx.spec.normalization === 'layernorm', eps: ctx.spec.normEps, weight: w.w, bias: w.b };
}

/** Whether none of `hooks` is captured, intervened on or called back. */
export function unobserved(ctx: Pick<ForwardContext, 'hooks'>, ...hooks: string[]): boolean {
  return hooks.every((name) => !ctx.hooks.wants(name));
}

/**
 * input·wᵀ (+ bias), then `after` (activation, multiply, residual): one fused op when the input's
 * norm was deferred or anything follows, else a plain linear. Callers ask for fusion only where
 * `canFuseLinear` holds.
 */
export function project(
  ctx: Pick<ForwardContext, 'backend'>,
  input: SublayerInput,
  w: Tensor,
  bias?: Tensor,
  after: Omit<LinearFusion, 'norm' | 'bias'> = {},
): Tensor {
  const b = ctx.backend;
  if (!input.norm && !after.activation && !after.multiply && !after.residual) return b.linear(input.x, w, bias);
  if (!b.linearFused) throw new Error('internal: a fused linear was planned on a backend without linearFused');
  return b.linearFused(input.x, w, { norm: input.norm, bias, ...after });
}
