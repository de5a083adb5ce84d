/**
 * linear: x [..., in] · wᵀ (+ bias) with w [out, in] → [..., out], and its input gradient
 * linearTransposed: x [..., out] · w → [..., in].
 * linear sends ≤ 4 rows (decode) to the GEMV kernel, more to the tiled GEMM; the fused form
 * (norm prologue, activation, residual or multiply epilogue) always takes the GEMM. A weight split by
 * rows (over the binding limit) is one dispatch per chunk: for linear each chunk writes its own
 * output columns; for linearTransposed each chunk is a slice of K, and later chunks add to C.
 */
import { numel, sameShape, shapeString, type UnaryKind } from '../../backend.ts';
import type { Context, GpuTensor } from '../tensor.ts';
import { gemv, GEMV_MAX_ROWS } from './gemv.ts';
import { gemm } from './matmul.ts';

/** What `linearFused` adds around the product (see Backend.linearFused); all optional. */
export interface LinearExtras {
  readonly bias?: GpuTensor;
  readonly norm?: { readonly center: boolean; readonly eps: number; readonly weight: GpuTensor; readonly bias?: GpuTensor };
  readonly activation?: UnaryKind;
  readonly multiply?: GpuTensor;
  readonly residual?: GpuTensor;
}

export function linear(ctx: Context, x: GpuTensor, w: GpuTensor, extras: LinearExtras = {}): GpuTensor {
  const op = extras.norm || extras.activation || extras.multiply || extras.residual ? 'linearFused' : 'linear';
  const k = x.shape.at(-1);
  if (w.shape.length !== 2 || k === undefined || w.shape[1] !== k) {
    throw new Error(`${op}: x ${shapeString(x.shape)} does not fit weight ${shapeString(w.shape)} ([out, in])`);
  }
  const n = w.shape[0];
  const outShape = [...x.shape.slice(0, -1), n];
  const vectors: [string, GpuTensor | undefined, number[]][] = [
    ['bias', extras.bias, [n]],
    ['norm weight', extras.norm?.weight, [k]],
    ['norm bias', extras.norm?.bias, [k]],
    ['multiply', extras.multiply, outShape],
    ['residual', extras.residual, outShape],
  ];
  for (const [what, t, shape] of vectors) {
    if (t && !sameShape(t.shape, shape)) throw new Error(`${op}: ${what} ${shapeString(t.shape)} must be ${shapeString(shape)}`);
  }
  if (extras.multiply && extras.residual) throw new Error(`${op}: multiply and residual cannot be combined`);
  const m = numel(x.shape) / Math.max(1, k);
  const chunks = ctx.rowChunks(w, k, op);
  const input = ctx.f32(x, op);
  const [b, normW, normB, extra] = [extras.bias, extras.norm?.weight, extras.norm?.bias, extras.multiply ?? extras.residual].map(
    (t) => t && ctx.f32(t, op),
  );
  const out = ctx.output(outShape, `${op} output`);
  const kind = w.storage.kind;
  const plain = op === 'linear';
  for (const chunk of chunks) {
    const c = { buffer: ctx.buffer(out), offset: chunk.first, ld: n };
    const biasView = b && { buffer: b.buffer, offset: chunk.first };
    if (plain && m <= GEMV_MAX_ROWS) {
      gemv(ctx, { m, n: chunk.rows, k, x: input.buffer, w: { buffer: chunk.buffer, kind }, bias: biasView, c });
    } else {
      gemm(ctx, {
        m,
        n: chunk.rows,
        k,
        outer: 1,
        inner: 1,
        a: { buffer: input.buffer, offset: 0, ld: k, outerStride: 0, innerStride: 0 },
        b: { buffer: chunk.buffer, kind, transposed: true, group: 1, offset: 0, ld: k, outerStride: 0, innerStride: 0 },
        c: { ...c, outerStride: 0, innerStride: 0 },
        alpha: 1,
        bias: biasView,
        norm: extras.norm && { center: extras.norm.center, eps: extras.norm.eps, weight: normW?.buffer ?? ctx.engine.dummy, bias: normB?.buffer },
        activation: extras.activation,
        extra: extra && { op: extras.multiply ? 'multiply' : 'add', buffer: extra.buffer },
      });
    }
  }
  for (const operand of [input, b, normW, normB, extra]) operand?.done();
  return out;
}

export function linearTransposed(ctx: Context, x: GpuTensor, w: GpuTensor): GpuTensor {
  const k = x.shape.at(-1);
  if (w.shape.length !== 2 || k === undefined || w.shape[0] !== k) {
    throw new Error(`linearTransposed: x ${shapeString(x.shape)} does not end in the out axis of weight ${shapeString(w.shape)}`);
  }
  const n = w.shape[1];
  const m = numel(x.shape) / Math.max(1, k);
  const chunks = ctx.rowChunks(w, n, 'linearTransposed');
  const input = ctx.f32(x, 'linearTransposed');
  const out = ctx.output([...x.shape.slice(0, -1), n], 'linearTransposed output');
  chunks.forEach((chunk, i) => {
    gemm(ctx, {
      m,
      n,
      k: chunk.rows,
      outer: 1,
      inner: 1,
      a: { buffer: input.buffer, offset: chunk.first, ld: k, outerStride: 0, innerStride: 0 },
      b: { buffer: chunk.buffer, kind: w.storage.kind, transposed: false, group: 1, offset: 0, ld: n, outerStride: 0, innerStride: 0 },
      c: { buffer: ctx.buffer(out), offset: 0, ld: n, outerStride: 0, innerStride: 0 },
      alpha: 1,
      accumulate: i > 0,
    });
  });
  input.done();
  return out;
}
