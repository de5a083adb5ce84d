/** Launcher for select.wgsl: bit-exact out = mask != 0 ? a : b. */
import { numel, sameShape, shapeString } from '../../backend.ts';
import { defineKernel } from '../kernel.ts';
import type { Context, GpuTensor } from '../tensor.ts';
import source from './select.wgsl?raw';

export const selectKernel = defineKernel('select', source, { count: 'u32' }, ['read', 'read', 'read', 'read_write']);

const WG = 256;

export function select(ctx: Context, mask: GpuTensor, a: GpuTensor, b: GpuTensor): GpuTensor {
  if (!sameShape(mask.shape, a.shape) || !sameShape(a.shape, b.shape)) {
    throw new Error(
      `select: mask ${shapeString(mask.shape)}, a ${shapeString(a.shape)} and b ${shapeString(b.shape)} must have one shape`,
    );
  }
  const operands = [mask, a, b].map((t) => ctx.f32(t, 'select'));
  const out = ctx.output(a.shape, 'select output');
  const count = numel(a.shape);
  ctx.engine.dispatch(selectKernel, {
    overrides: { WG },
    params: { count },
    buffers: [...operands.map((o) => o.buffer), ctx.buffer(out)],
    workgroups: ctx.engine.grid(Math.ceil(count / WG)),
  });
  for (const o of operands) o.done();
  return out;
}
