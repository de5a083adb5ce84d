/**
 * Launcher for dequant.wgsl: Q8_0/Q4_0 block storage → a fresh f32 tensor (split by rows like
 * any f32 tensor past the binding limit), for reading a weight back and for ops other than the
 * matrix kernels (gemv, matmul, gather), which decode the blocks in place (blocks.wgsl).
 */
import { defineKernel, ELEMENT_KIND, isBlockKind } from '../kernel.ts';
import type { Context, GpuTensor } from '../tensor.ts';
import blocks from './blocks.wgsl?raw';
import source from './dequant.wgsl?raw';

export const dequantKernel = defineKernel('dequant', blocks + source, { count: 'u32', first: 'u32' }, ['read', 'read_write']);

const WG = 256;

export function dequantize(ctx: Context, t: GpuTensor, op: string): GpuTensor {
  const { kind } = t.storage;
  if (!isBlockKind(kind)) throw new Error(`dequantize: ${op}: tensor is ${kind}, not block-quantised`);
  const src = ctx.single(t, op);
  const f32 = ctx.outputRows(t.shape, `${op}: ${kind} → f32`);
  for (const chunk of f32.storage.chunks) {
    ctx.engine.dispatch(dequantKernel, {
      overrides: { KIND: ELEMENT_KIND[kind], WG },
      params: { count: chunk.count, first: chunk.start },
      buffers: [src.buffer, chunk.buffer],
      workgroups: ctx.engine.grid(Math.ceil(chunk.count / WG)),
    });
  }
  return f32;
}
