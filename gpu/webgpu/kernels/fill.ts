/** Launcher for fill.wgsl: a tensor of one value, passed as its f32 bit pattern. */
import { numel } from '../../backend.ts';
import { defineKernel } from '../kernel.ts';
import type { Context, GpuTensor } from '../tensor.ts';
import source from './fill.wgsl?raw';

export const fillKernel = defineKernel('fill', source, { count: 'u32', bits: 'u32' }, ['read_write']);

const WG = 256;

export function f32Bits(value: number): number {
  return new Uint32Array(new Float32Array([value]).buffer)[0];
}

export function fill(ctx: Context, shape: readonly number[], value: number): GpuTensor {
  const out = ctx.output(shape, 'fill');
  const count = numel(shape);
  ctx.engine.dispatch(fillKernel, {
    overrides: { WG },
    params: { count, bits: f32Bits(value) },
    buffers: [ctx.buffer(out)],
    workgroups: ctx.engine.grid(Math.ceil(count / WG)),
  });
  return out;
}
