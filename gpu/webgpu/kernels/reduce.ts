/** Launcher for reduce.wgsl: sum or mean over one axis, keeping it with size 1. */
import { numel, shapeString } from '../../backend.ts';
import { defineKernel } from '../kernel.ts';
import { nextPow2, type Context, type GpuTensor } from '../tensor.ts';
import source from './reduce.wgsl?raw';

export const reduceKernel = defineKernel(
  'reduce',
  source,
  { outer: 'u32', r: 'u32', inner: 'u32', groups_per_outer: 'u32' },
  ['read', 'read_write'],
);

const THREADS = 256;
/** Outputs per workgroup when reducing a non-last axis: enough for coalesced row reads. */
const MAX_COLS = 64;

export function reduce(ctx: Context, x: GpuTensor, axis: number, mean: boolean): GpuTensor {
  const op = mean ? 'mean' : 'sum';
  if (!Number.isInteger(axis) || axis < 0 || axis >= x.shape.length) {
    throw new Error(`${op}: axis ${axis} out of range for ${shapeString(x.shape)}`);
  }
  const outer = numel(x.shape.slice(0, axis));
  const r = x.shape[axis];
  const inner = numel(x.shape.slice(axis + 1));
  const cols = Math.min(MAX_COLS, nextPow2(inner));
  const groupsPerOuter = Math.ceil(inner / cols);
  const src = ctx.f32(x, op);
  const out = ctx.output(
    x.shape.map((s, d) => (d === axis ? 1 : s)),
    `${op} output`,
  );
  ctx.engine.dispatch(reduceKernel, {
    overrides: { COLS: cols, LANES: THREADS / cols, MEAN: mean },
    params: { outer, r, inner, groups_per_outer: groupsPerOuter },
    buffers: [src.buffer, ctx.buffer(out)],
    workgroups: ctx.engine.grid(outer * groupsPerOuter),
  });
  src.done();
  return out;
}
