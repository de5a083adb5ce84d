/** Launcher for norm_scale.wgsl: the LayerNorm / RMSNorm divisor over the last axis, [.., 1]. */
import { numel } from '../../backend.ts';
import { defineKernel } from '../kernel.ts';
import { rowWorkgroup, type Context, type GpuTensor } from '../tensor.ts';
import rowTree from './row_tree.wgsl?raw';
import source from './norm_scale.wgsl?raw';

export const normScaleKernel = defineKernel(
  'norm_scale',
  rowTree + source,
  { rows: 'u32', n: 'u32', eps: 'f32' },
  ['read', 'read_write'],
);

export function normScale(ctx: Context, x: GpuTensor, center: boolean, eps: number): GpuTensor {
  if (x.shape.length === 0) throw new Error('normScale: needs at least one axis');
  const n = x.shape[x.shape.length - 1];
  const rows = n === 0 ? 0 : numel(x.shape) / n;
  const src = ctx.f32(x, 'normScale');
  const out = ctx.output([...x.shape.slice(0, -1), 1], 'normScale output');
  ctx.engine.dispatch(normScaleKernel, {
    overrides: { CENTER: center, WG: rowWorkgroup(n) },
    params: { rows, n, eps },
    buffers: [src.buffer, ctx.buffer(out)],
    workgroups: ctx.engine.grid(rows),
  });
  src.done();
  return out;
}
