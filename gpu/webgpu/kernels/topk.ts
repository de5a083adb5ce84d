/** Launcher for topk.wgsl: keep the k largest entries of each row (last axis). */
import { numel } from '../../backend.ts';
import { defineKernel } from '../kernel.ts';
import { rowWorkgroup, type Context, type GpuTensor } from '../tensor.ts';
import source from './topk.wgsl?raw';

export const topKKernel = defineKernel('topk', source, { rows: 'u32', n: 'u32', k: 'u32' }, ['read', 'read_write']);

export function keepTopK(ctx: Context, x: GpuTensor, k: number): GpuTensor {
  if (!Number.isInteger(k) || k < 0) throw new Error(`keepTopK: k must be a non-negative integer (got ${k})`);
  if (x.shape.length === 0) throw new Error('keepTopK: needs at least one axis');
  const n = x.shape[x.shape.length - 1];
  const rows = n === 0 ? 0 : numel(x.shape) / n;
  const src = ctx.f32(x, 'keepTopK');
  const out = ctx.output(x.shape, 'keepTopK output');
  ctx.engine.dispatch(topKKernel, {
    overrides: { WG: rowWorkgroup(n) },
    params: { rows, n, k: Math.min(k, n) },
    buffers: [src.buffer, ctx.buffer(out)],
    workgroups: ctx.engine.grid(rows),
  });
  src.done();
  return out;
}
