/**
 * attentionScores, attentionMix and headResult as strided, batched GEMMs over (batch, head).
 *   q [batch, pos, head, dHead]   k, v [batch, kvPos, kvHead, dHead]   query head h reads kv head
 *   h / (head / kvHead) — the GEMM's `group`. Scores and pattern are [batch, head, pos, kvPos].
 */
import type { AttentionMask } from '../../backend.ts';
import { shapeString } from '../../backend.ts';
import type { Context, GpuTensor } from '../tensor.ts';
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
