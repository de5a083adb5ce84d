/** Launcher for unary.wgsl: activations, neg, exp, tanh and scale, and their derivatives. */
import { numel, type UnaryKind } from '../../backend.ts';
import { defineKernel } from '../kernel.ts';
import type { Context, GpuTensor } from '../tensor.ts';
import math from './math.wgsl?raw';
import source from './unary.wgsl?raw';

export const unaryKernel = defineKernel('unary', math + source, { count: 'u32', factor: 'f32' }, ['read', 'read_write']);

export type UnaryOp = UnaryKind | 'scale';

const OP: Readonly<Record<UnaryOp, number>> = {
  gelu_tanh: 0,
  gelu_erf: 1,
  silu: 2,
  relu: 3,
  neg: 4,
  exp: 5,
  scale: 6,
  tanh: 7,
};
const WG = 256;

/** f(x) elementwise, or f'(x) with `grad`; `factor` is the scale op's. */
export function unary(ctx: Context, x: GpuTensor, op: UnaryOp, options: { grad?: boolean; factor?: number } = {}): GpuTensor {
  if (!(op in OP)) throw new Error(`unary: unknown kind '${op}'`);
  const grad = options.grad ?? false;
  const name = grad ? `${op}'` : op;
  const input = ctx.f32(x, name);
  const out = ctx.output(x.shape, `${name} output`);
  const count = numel(x.shape);
  ctx.engine.dispatch(unaryKernel, {
    overrides: { OP: OP[op], GRAD: grad, WG },
    params: { count, factor: options.factor ?? 1 },
    buffers: [input.buffer, ctx.buffer(out)],
    workgroups: ctx.engine.grid(Math.ceil(count / WG)),
  });
  input.done();
  return out;
}
