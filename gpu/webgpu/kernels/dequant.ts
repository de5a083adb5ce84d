/**
 * Launcher for dequant.wgsl: Q8_0/Q4_0 block storage → a fresh f32 tensor (split by rows like
 * any f32 tensor past the binding limit). The backend decodes a quantised weight this way for
 * the one op that reads it and releases the f32 copy when that op is encoded, so the model
 * stays in its blocks.
 */
import { defineKernel, ELEMENT_KIND, isBlockKind } from '../kernel.ts';
import type { Context, GpuTensor } from '../tensor.ts';
import source from './dequant.wgsl?raw';

export const dequantKernel = defineKernel('dequant', source, { count: 'u32', first: 'u32' }, ['read', 'read_write']);

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
