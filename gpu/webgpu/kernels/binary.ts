/** Launcher for binary.wgsl: add, sub, mul, div with the interface's broadcast forms. */
import { numel, sameShape, shapeString } from '../../backend.ts';
import { defineKernel } from '../kernel.ts';
import type { Context, GpuTensor } from '../tensor.ts';
import source from './binary.wgsl?raw';

export const binaryKernel = defineKernel(
  'binary',
  source,
  { count: 'u32', b_count: 'u32', row: 'u32' },
  ['read', 'read', 'read_write'],
);

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';

const OP: Readonly<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3 };
const SAME = 0;
const SUFFIX = 1;
const ROW = 2;
const WG = 256;

function broadcast(op: BinaryOp, a: readonly number[], b: readonly number[]): number {
  if (sameShape(a, b)) return SAME;
  const tail = a.slice(a.length - b.length);
  if (b.length < a.length && sameShape(tail, b)) return SUFFIX;
  const last = a.length - 1;
  if (b.length === a.length && b[last] === 1 && b.every((s, d) => d === last || s === a[d])) return ROW;
  throw new Error(
    `${op}: cannot broadcast ${shapeString(b)} onto ${shapeString(a)} ` +
      `(b must equal a, be a suffix of it, or equal it with the last axis 1)`,
  );
}

export function binary(ctx: Context, op: BinaryOp, a: GpuTensor, b: GpuTensor): GpuTensor {
  const mode = broadcast(op, a.shape, b.shape);
  const lhs = ctx.f32(a, op);
  const rhs = ctx.f32(b, op);
  const out = ctx.output(a.shape, `${op} output`);
  const count = numel(a.shape);
  ctx.engine.dispatch(binaryKernel, {
    overrides: { OP: OP[op], BROADCAST: mode, WG },
    params: { count, b_count: Math.max(1, numel(b.shape)), row: a.shape.at(-1) ?? 1 },
    buffers: [lhs.buffer, rhs.buffer, ctx.buffer(out)],
    workgroups: ctx.engine.grid(Math.ceil(count / WG)),
  });
  lhs.done();
  rhs.done();
  return out;
}
