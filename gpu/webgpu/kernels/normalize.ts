/** Launcher for normalize.wgsl: (x − mean if center) / scale, scale [.., 1]. */
import { numel, sameShape, shapeString } from '../../backend.ts';
import { defineKernel } from '../kernel.ts';
import { rowWorkgroup, type Context, type GpuTensor } from '../tensor.ts';
import rowTree from './row_tree.wgsl?raw';
import source from './normalize.wgsl?raw';

export const normalizeKernel = defineKernel(
  'normalize',
  rowTree + source,
  { rows: 'u32', n: 'u32' },
  ['read', 'read', 'read_write'],
);

export function normalize(ctx: Context, x: GpuTensor, scale: GpuTensor, center: boolean): GpuTensor {
  if (x.shape.length === 0 || !sameShape(scale.shape, [...x.shape.slice(0, -1), 1])) {
    throw new Error(`normalize: scale ${shapeString(scale.shape)} must be x ${shapeString(x.shape)} with the last axis 1`);
  }
  const n = x.shape[x.shape.length - 1];
  const rows = n === 0 ? 0 : numel(x.shape) / n;
  const src = ctx.f32(x, 'normalize');
  const divisor = ctx.f32(scale, 'normalize');
  const out = ctx.output(x.shape, 'normalize output');
  ctx.engine.dispatch(normalizeKernel, {
    overrides: { CENTER: center, WG: rowWorkgroup(n) },
    params: { rows, n },
    buffers: [src.buffer, divisor.buffer, ctx.buffer(out)],
    workgroups: ctx.engine.grid(rows),
  });
  src.done();
  divisor.done();
  return out;
}
