/** Launcher for convert.wgsl: F16/BF16 storage → a fresh f32 tensor. */
import { numel } from '../../backend.ts';
import { defineKernel, ELEMENT_KIND } from '../kernel.ts';
import type { Context, GpuTensor } from '../tensor.ts';
import source from './convert.wgsl?raw';

export const convertKernel = defineKernel('convert', source, { count: 'u32' }, ['read', 'read_write']);

const WG = 256;

export function decode(ctx: Context, t: GpuTensor, op: string): GpuTensor {
  const { kind } = t.storage;
  if (kind === 'f32') throw new Error('decode: tensor is already f32');
  const src = ctx.single(t, op);
  const out = ctx.output(t.shape, `${op}: ${kind} → f32`);
  const count = numel(t.shape);
  ctx.engine.dispatch(convertKernel, {
    overrides: { KIND: ELEMENT_KIND[kind], WG },
    params: { count },
    buffers: [src.buffer, ctx.buffer(out)],
    workgroups: ctx.engine.grid(Math.ceil(count / 2 / WG)),
  });
  return out;
}
