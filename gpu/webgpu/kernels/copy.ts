/**
 * Launcher for copy.wgsl and the shape ops built on it: slice, concat, expand, permute.
 * Each is a strided copy between two views; adjacent axes that stay contiguous in both views
 * are merged first, and a copy that ends up fully contiguous becomes copyBufferToBuffer.
 */
import { numel, sameShape, shapeString } from '../../backend.ts';
import { defineKernel } from '../kernel.ts';
import { rowMajorStrides, type Context, type GpuTensor } from '../tensor.ts';
import source from './copy.wgsl?raw';

export const copyKernel = defineKernel(
  'copy',
  source,
  {
    count: 'u32',
    rank: 'u32',
    src_offset: 'u32',
    dst_offset: 'u32',
    shape: 'array<vec4<u32>, 2>',
    src_strides: 'array<vec4<u32>, 2>',
    dst_strides: 'array<vec4<u32>, 2>',
  },
  ['read', 'read_write'],
);

const MAX_RANK = 8;
const WG = 256;

/** Where a copy reads or writes: an element offset and a stride per axis of the copied shape. */
interface View {
  readonly buffer: GPUBuffer;
  readonly offset: number;
  readonly strides: readonly number[];
}

interface Axis {
  extent: number;
  src: number;
  dst: number;
}

function stridedCopy(ctx: Context, from: View, to: View, shape: readonly number[]): void {
  const count = numel(shape);
  if (count === 0) return;
  const axes: Axis[] = [];
  shape.forEach((extent, d) => {
    if (extent === 1) return;
    const axis = { extent, src: from.strides[d], dst: to.strides[d] };
    const outer = axes.at(-1);
    if (outer && outer.src === extent * axis.src && outer.dst === extent * axis.dst) {
      outer.extent *= extent;
      outer.src = axis.src;
      outer.dst = axis.dst;
    } else {
      axes.push(axis);
    }
  });
  if (axes.length === 0 || (axes.length === 1 && axes[0].src === 1 && axes[0].dst === 1)) {
    ctx.engine.copy(from.buffer, 4 * from.offset, to.buffer, 4 * to.offset, 4 * count);
    return;
  }
  if (axes.length > MAX_RANK) throw new Error(`copy: more than ${MAX_RANK} non-contiguous axes`);
  ctx.engine.dispatch(copyKernel, {
    overrides: { WG },
    params: {
      count,
      rank: axes.length,
      src_offset: from.offset,
      dst_offset: to.offset,
      shape: axes.map((a) => a.extent),
      src_strides: axes.map((a) => a.src),
      dst_strides: axes.map((a) => a.dst),
    },
    buffers: [from.buffer, to.buffer],
    workgroups: ctx.engine.grid(Math.ceil(count / WG)),
  });
}

function checkAxis(op: string, shape: readonly number[], axis: number): void {
  if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) {
    throw new Error(`${op}: axis ${axis} out of range for ${shapeString(shape)}`);
  }
}

export function slice(ctx: Context, x: GpuTensor, axis: number, start: number, end: number): GpuTensor {
  checkAxis('slice', x.shape, axis);
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > x.shape[axis]) {
    throw new Error(`slice: [${start}, ${end}) out of range for axis ${axis} of ${shapeString(x.shape)}`);
  }
  const shape = x.shape.map((s, d) => (d === axis ? end - start : s));
  const src = ctx.f32(x, 'slice');
  const out = ctx.output(shape, 'slice output');
  const strides = rowMajorStrides(x.shape);
  stridedCopy(
    ctx,
    { buffer: src.buffer, offset: start * strides[axis], strides },
    { buffer: ctx.buffer(out), offset: 0, strides: rowMajorStrides(shape) },
    shape,
  );
  src.done();
  return out;
}

export function concat(ctx: Context, xs: readonly GpuTensor[], axis: number): GpuTensor {
  if (xs.length === 0) throw new Error('concat: no tensors');
  const first = xs[0].shape;
  checkAxis('concat', first, axis);
  for (const x of xs) {
    if (x.shape.length !== first.length || x.shape.some((s, d) => d !== axis && s !== first[d])) {
      throw new Error(`concat: ${shapeString(x.shape)} does not match ${shapeString(first)} off axis ${axis}`);
    }
  }
  const shape = first.map((s, d) => (d === axis ? xs.reduce((sum, x) => sum + x.shape[axis], 0) : s));
  const out = ctx.output(shape, 'concat output');
  const outStrides = rowMajorStrides(shape);
  let at = 0;
  for (const x of xs) {
    const src = ctx.f32(x, 'concat');
    stridedCopy(
      ctx,
      { buffer: src.buffer, offset: 0, strides: rowMajorStrides(x.shape) },
      { buffer: ctx.buffer(out), offset: at * outStrides[axis], strides: outStrides },
      x.shape,
    );
    src.done();
    at += x.shape[axis];
  }
  return out;
}

export function expand(ctx: Context, x: GpuTensor, shape: readonly number[]): GpuTensor {
  if (shape.length !== x.shape.length || x.shape.some((s, d) => s !== shape[d] && s !== 1)) {
    throw new Error(`expand: cannot expand ${shapeString(x.shape)} to ${shapeString(shape)}`);
  }
  const src = ctx.f32(x, 'expand');
  const out = ctx.output(shape, 'expand output');
  const strides = rowMajorStrides(x.shape).map((stride, d) => (x.shape[d] === 1 ? 0 : stride));
  stridedCopy(
    ctx,
    { buffer: src.buffer, offset: 0, strides },
    { buffer: ctx.buffer(out), offset: 0, strides: rowMajorStrides(shape) },
    shape,
  );
  src.done();
  return out;
}

export function permute(ctx: Context, x: GpuTensor, perm: readonly number[]): GpuTensor {
  const rank = x.shape.length;
  if (perm.length !== rank || !sameShape([...perm].sort((p, q) => p - q), [...Array(rank).keys()])) {
    throw new Error(`permute: [${perm.join(', ')}] is not a permutation of the axes of ${shapeString(x.shape)}`);
  }
  const shape = perm.map((p) => x.shape[p]);
  const xStrides = rowMajorStrides(x.shape);
  const src = ctx.f32(x, 'permute');
  const out = ctx.output(shape, 'permute output');
  stridedCopy(
    ctx,
    { buffer: src.buffer, offset: 0, strides: perm.map((p) => xStrides[p]) },
    { buffer: ctx.buffer(out), offset: 0, strides: rowMajorStrides(shape) },
    shape,
  );
  src.done();
  return out;
}
