/** Launcher for softmax.wgsl: softmax over the last axis. */
import { numel } from '../../backend.ts';
import { defineKernel } from '../kernel.ts';
import { rowWorkgroup, type Context, type GpuTensor } from '../tensor.ts';
import rowTree from './row_tree.wgsl?raw';
import source from './softmax.wgsl?raw';

export const softmaxKernel = defineKernel(
  'softmax',
  rowTree + source,
  { rows: 'u32', n: 'u32', neg_inf: 'f32' },
  ['read', 'read_write'],
);

export function softmax(ctx: Context, x: GpuTensor): GpuTensor {
  if (x.shape.length === 0) throw new Error('softmax: needs at least one axis');
  const n = x.shape[x.shape.length - 1];
  const rows = n === 0 ? 0 : numel(x.shape) / n;
  const src = ctx.f32(x, 'softmax');
  const out = ctx.output(x.shape, 'softmax output');
  ctx.engine.dispatch(softmaxKernel, {
    overrides: { WG: rowWorkgroup(n) },
    params: { rows, n, neg_inf: -Infinity },
    buffers: [src.buffer, ctx.buffer(out)],
    workgroups: ctx.engine.grid(rows),
  });
  src.done();
  return out;
}
