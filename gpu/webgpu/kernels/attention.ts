/**
 * attentionScores, attentionMix and headResult as strided, batched GEMMs over (batch, head).
 *   q [batch, pos, head, dHead]   k, v [batch, kvPos, kvHead, dHead]   query head h reads kv head
 *   h / (head / kvHead) — the GEMM's `group`. Scores and pattern are [batch, head, pos, kvPos].
 * `fusedAttention` (attention_fused.wgsl) does all three in one pass when nobody needs the
 * scores or the pattern.
 */
import type { AttentionMask } from '../../backend.ts';
import { sameShape, shapeString } from '../../backend.ts';
import { defineKernel } from '../kernel.ts';
import type { Context, GpuTensor } from '../tensor.ts';
import fusedSource from './attention_fused.wgsl?raw';
import math from './math.wgsl?raw';
import { gemm } from './matmul.ts';

export function attentionScores(ctx: Context, q: GpuTensor, k: GpuTensor, scale: number, mask: AttentionMask): GpuTensor {
  const [batch, pos, head, dHead] = q.shape;
  const [kBatch, kvPos, kvHead, kDHead] = k.shape;
  if (q.shape.length !== 4 || k.shape.length !== 4 || kBatch !== batch || kDHead !== dHead || head % kvHead !== 0) {
    throw new Error(`attentionScores: q ${shapeString(q.shape)} and k ${shapeString(k.shape)} do not fit (batch, dHead, head % kvHead)`);
  }
  const { queryOffset, keyValid } = mask;
  if (!Number.isInteger(queryOffset) || queryOffset < 0) throw new Error(`attentionScores: queryOffset ${queryOffset}`);
  if (keyValid && keyValid.length !== batch * kvPos) {
    throw new Error(`attentionScores: keyValid has ${keyValid.length} entries for [${batch}, ${kvPos}]`);
  }
  const query = ctx.f32(q, 'attentionScores');
  const key = ctx.single(k, 'attentionScores');
  const valid = keyValid && ctx.scratch(Uint32Array.from(keyValid), 'keyValid');
  const out = ctx.output([batch, head, pos, kvPos], 'attentionScores output');
  gemm(ctx, {
    m: pos,
    n: kvPos,
    k: dHead,
    outer: batch,
    inner: head,
    a: { buffer: query.buffer, offset: 0, ld: head * dHead, outerStride: pos * head * dHead, innerStride: dHead },
    b: {
      buffer: key.buffer,
      kind: k.storage.kind,
      transposed: true,
      group: head / kvHead,
      offset: 0,
      ld: kvHead * dHead,
      outerStride: kvPos * kvHead * dHead,
      innerStride: dHead,
    },
    c: { buffer: ctx.buffer(out), offset: 0, ld: kvPos, outerStride: head * pos * kvPos, innerStride: pos * kvPos },
    alpha: scale,
    mask: { queryOffset, keyLen: kvPos, keyValid: valid?.buffer },
  });
  query.done();
  valid?.done();
  return out;
}

export function attentionMix(ctx: Context, pattern: GpuTensor, v: GpuTensor): GpuTensor {
  const [batch, head, pos, kvPos] = pattern.shape;
  const [, vPos, kvHead, dHead] = v.shape;
  if (pattern.shape.length !== 4 || v.shape.length !== 4 || v.shape[0] !== batch || vPos !== kvPos || head % kvHead !== 0) {
    throw new Error(`attentionMix: pattern ${shapeString(pattern.shape)} does not fit v ${shapeString(v.shape)}`);
  }
  const weights = ctx.f32(pattern, 'attentionMix');
  const value = ctx.single(v, 'attentionMix');
  const out = ctx.output([batch, pos, head, dHead], 'attentionMix output');
  gemm(ctx, {
    m: pos,
    n: dHead,
    k: kvPos,
    outer: batch,
    inner: head,
    a: { buffer: weights.buffer, offset: 0, ld: kvPos, outerStride: head * pos * kvPos, innerStride: pos * kvPos },
    b: {
      buffer: value.buffer,
      kind: v.storage.kind,
      transposed: false,
      group: head / kvHead,
      offset: 0,
      ld: kvHead * dHead,
      outerStride: kvPos * kvHead * dHead,
      innerStride: dHead,
    },
    c: { buffer: ctx.buffer(out), offset: 0, ld: head * dHead, outerStride: pos * head * dHead, innerStride: dHead },
    alpha: 1,
  });
  weights.done();
  return out;
}

/** z [batch, pos, head, dHead] with wO [dModel, head·dHead] → [batch, pos, head, dModel]. */
export function headResult(ctx: Context, z: GpuTensor, wO: GpuTensor): GpuTensor {
  const [batch, pos, head, dHead] = z.shape;
  if (z.shape.length !== 4 || wO.shape.length !== 2 || wO.shape[1] !== head * dHead) {
    throw new Error(`headResult: z ${shapeString(z.shape)} does not fit wO ${shapeString(wO.shape)}`);
  }
  const dModel = wO.shape[0];
  const input = ctx.f32(z, 'headResult');
  const weight = ctx.single(wO, 'headResult');
  const out = ctx.output([batch, pos, head, dModel], 'headResult output');
  // Batch over heads; rows are the batch·pos tokens, head h's columns of wO start at h·dHead.
  gemm(ctx, {
    m: batch * pos,
    n: dModel,
    k: dHead,
    outer: 1,
    inner: head,
    a: { buffer: input.buffer, offset: 0, ld: head * dHead, outerStride: 0, innerStride: dHead },
    b: {
      buffer: weight.buffer,
      kind: wO.storage.kind,
      transposed: true,
      group: 1,
      offset: 0,
      ld: head * dHead,
      outerStride: 0,
      innerStride: dHead,
    },
    c: { buffer: ctx.buffer(out), offset: 0, ld: head * dModel, outerStride: 0, innerStride: dModel },
    alpha: 1,
  });
  input.done();
  return out;
}

export const fusedAttentionKernel = defineKernel(
  'attention_fused',
  math + fusedSource,
  {
    pos: 'u32',
    heads: 'u32',
    group: 'u32',
    kv_pos: 'u32',
    kv_heads: 'u32',
    scale: 'f32',
    query_offset: 'u32',
    neg_inf: 'f32',
  },
  ['read', 'read', 'read', 'read', 'read_write'],
);

const FUSED_WG = 128;
/** attention_fused.wgsl's per-thread output registers (MAX_PER_THREAD). */
const FUSED_MAX_PER_THREAD = 16;

/** Extra score transforms of some model families; absent = plain causal attention. */
export interface FusedAttentionOptions {
  /** Scores become softcap·tanh(s / softcap) before the mask. */
  readonly softcap?: number;
  /** Sliding window: a query sees only the last `window` keys up to itself. */
  readonly window?: number;
}

/** Query rows per workgroup and keys per tile for head size d, or null when d is too large. */
export function fusedAttentionTile(d: number, pos: number, maxWorkgroupStorageBytes: number): { qb: number; kt: number } | null {
  let qb = pos <= 4 ? 4 : 16;
  while (qb > 1 && qb * d > FUSED_WG * FUSED_MAX_PER_THREAD) qb /= 2;
  if (qb * d > FUSED_WG * FUSED_MAX_PER_THREAD) return null;
  const kt = d <= 64 ? 32 : 16;
  const bytes = 4 * ((qb + kt) * (d + 1) + qb * kt + 3 * qb);
  return bytes <= maxWorkgroupStorageBytes ? { qb, kt } : null;
}

/**
 * softmax(scale·q·kᵀ, masked)·v → z [batch, pos, head, dHead] in one dispatch, or null when the
 * head size does not fit the kernel (the caller then runs scores, softmax and mix).
 */
export function fusedAttention(
  ctx: Context,
  q: GpuTensor,
  k: GpuTensor,
  v: GpuTensor,
  scale: number,
  mask: AttentionMask,
  options: FusedAttentionOptions = {},
): GpuTensor | null {
  const [batch, pos, head, dHead] = q.shape;
  const [kBatch, kvPos, kvHead, kDHead] = k.shape;
  const fits =
    q.shape.length === 4 &&
    k.shape.length === 4 &&
    kBatch === batch &&
    kDHead === dHead &&
    head % kvHead === 0 &&
    sameShape(v.shape, k.shape);
  if (!fits) {
    throw new Error(
      `attention: q ${shapeString(q.shape)}, k ${shapeString(k.shape)} and v ${shapeString(v.shape)} do not fit (batch, dHead, head % kvHead, k = v)`,
    );
  }
  const { queryOffset, keyValid } = mask;
  if (!Number.isInteger(queryOffset) || queryOffset < 0) throw new Error(`attention: queryOffset ${queryOffset}`);
  if (keyValid && keyValid.length !== batch * kvPos) {
    throw new Error(`attention: keyValid has ${keyValid.length} entries for [${batch}, ${kvPos}]`);
  }
  const { softcap = 0, window = 0 } = options;
  if (!(softcap >= 0) || !Number.isFinite(softcap) || !Number.isInteger(window) || window < 0) {
    throw new Error(`attention: softcap ${softcap} must be finite and ≥ 0, window ${window} a non-negative integer`);
  }
  const tile = fusedAttentionTile(dHead, pos, ctx.engine.limits.maxWorkgroupStorageBytes);
  if (!tile) return null;
  const query = ctx.f32(q, 'attention');
  const key = ctx.f32(k, 'attention');
  const value = ctx.f32(v, 'attention');
  // All keys valid (no padding, the usual case): no mask to upload.
  const valid = keyValid?.includes(0) ? ctx.scratch(Uint32Array.from(keyValid), 'keyValid') : undefined;
  const out = ctx.output([batch, pos, head, dHead], 'attention output');
  ctx.engine.dispatch(fusedAttentionKernel, {
    overrides: { D: dHead, QB: tile.qb, KT: tile.kt, WG: FUSED_WG, KEY_VALID: valid !== undefined, SOFTCAP: softcap, WINDOW: window },
    params: {
      pos,
      heads: head,
      group: head / kvHead,
      kv_pos: kvPos,
      kv_heads: kvHead,
      scale,
      query_offset: queryOffset,
      neg_inf: -Infinity,
    },
    buffers: [query.buffer, key.buffer, value.buffer, valid?.buffer ?? ctx.engine.dummy, ctx.buffer(out)],
    workgroups: [Math.ceil(pos / tile.qb), head, batch],
  });
  for (const operand of [query, key, value, valid]) operand?.done();
  return out;
}
