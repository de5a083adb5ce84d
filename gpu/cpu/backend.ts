/**
 * The CPU reference backend: plain loops over Float32Array storage, every reduction
 * accumulated in float64 (JS numbers) so it is at least as careful as any kernel it checks.
 * Speed is secondary; clarity and exactness come first.
 */
import type { AttentionMask, Backend, BackendInfo, BlockDType, HostWeight, RopeFrequencies, Tensor, UnaryKind } from '../backend.ts';
import { numel, sameShape, shapeString } from '../backend.ts';
import { decodeHalfInto, toFloat32 } from '../dtype.ts';
import { blockFormat, blockRowBytes, decodeBlocks, isBlockDType, roundRowToQ8_0, roundToHalf, type BlockFormat } from '../quant.ts';

class CpuTensor implements Tensor {
  constructor(
    readonly shape: readonly number[],
    readonly data: Float32Array,
    readonly owner: CpuBackend,
  ) {}
}

/**
 * A weight matrix kept in its stored 16-bit dtype (F16/BF16 bit patterns). The matrix ops
 * (gather, linear, linearTransposed, headResult) decode it one row at a time; any other op
 * decodes a temporary float32 copy that is dropped when the op returns.
 */
class CpuHalfTensor implements Tensor {
  constructor(
    readonly shape: readonly number[],
    readonly dtype: 'F16' | 'BF16',
    readonly bits: Uint16Array,
    readonly owner: CpuBackend,
  ) {}
}

/**
 * A weight matrix kept as ggml blocks (Q8_0, Q4_0: gpu/quant.ts), decoded like CpuHalfTensor:
 * row by row in the matrix ops, a temporary float32 copy for any other op.
 */
class CpuBlockTensor implements Tensor {
  constructor(
    readonly shape: readonly number[],
    readonly format: BlockFormat,
    readonly bytes: Uint8Array,
    readonly rowBytes: number,
    readonly owner: CpuBackend,
  ) {}
}

export interface CpuBackendOptions {
  /**
   * llama.cpp parity: round the activations the way ggml's CPU matmuls do before multiplying
   * by a compact weight — to Q8_0 blocks before a Q8_0/Q4_0 weight, to F16 before an F16 one
   * (linear and headResult) — so the logits are those llama.cpp computes, not the exact ones.
   */
  readonly llamaCppParity?: boolean;
}

/** Row access to a 2-D tensor of either storage. */
interface Rows {
  readonly shape: readonly number[];
  /** Row r as float32: a view of f32 storage, or decoded into `scratch` (length ≥ row size). */
  row(r: number, scratch: Float32Array): Float32Array;
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** erf with |error| < 1.2e-7 (Numerical Recipes erfc Chebyshev fit), computed in float64. */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - r : r - 1;
}

export function unaryScalar(kind: UnaryKind, x: number): number {
  switch (kind) {
    case 'gelu_tanh':
      return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
    case 'gelu_erf':
      return 0.5 * x * (1 + erf(x / Math.SQRT2));
    case 'silu':
      return x / (1 + Math.exp(-x));
    case 'relu':
      return x > 0 ? x : 0;
    case 'neg':
      return -x;
    case 'exp':
      return Math.exp(x);
    case 'tanh':
      return Math.tanh(x);
  }
}

/** d/dx of `unaryScalar(kind, x)`, in float64. */
export function unaryGradScalar(kind: UnaryKind, x: number): number {
  switch (kind) {
    case 'gelu_tanh': {
      const t = Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x));
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
    }
    case 'gelu_erf':
      // Φ(x) + x·φ(x), with the same erf as the forward so f and f' agree to its accuracy.
      return 0.5 * (1 + erf(x / Math.SQRT2)) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI);
    case 'silu': {
      const s = 1 / (1 + Math.exp(-x));
      return s * (1 + x * (1 - s));
    }
    case 'relu':
      return x > 0 ? 1 : 0;
    case 'neg':
      return -1;
    case 'exp':
      return Math.exp(x);
    case 'tanh': {
      const t = Math.tanh(x);
      return 1 - t * t;
    }
  }
}

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** out[i] = data[Σ_d index_d(i) · srcStrides[d]] over the row-major indices of `shape` (expand, permute). */
function gatherStrided(data: Float32Array, shape: readonly number[], srcStrides: readonly number[]): Float32Array {
  const dst = strides(shape);
  const out = new Float32Array(numel(shape));
  for (let i = 0; i < out.length; i++) {
    let rem = i;
    let j = 0;
    for (let d = 0; d < shape.length; d++) {
      const c = Math.floor(rem / dst[d]);
      rem -= c * dst[d];
      j += c * srcStrides[d];
    }
    out[i] = data[j];
  }
  return out;
}

type Binary = (a: number, b: number) => number;

export class CpuBackend implements Backend {
  readonly info: BackendInfo;

  constructor(private readonly options: CpuBackendOptions = {}) {
    const adapter = options.llamaCppParity ? 'CPU (JavaScript reference, llama.cpp activation rounding)' : 'CPU (JavaScript reference)';
    this.info = { name: 'cpu', adapter };
  }

  protected t(x: Tensor, what: string): CpuTensor {
    if (x instanceof CpuHalfTensor && x.owner === this) {
      const data = new Float32Array(x.bits.length);
      decodeHalfInto(x.dtype, x.bits, 0, x.bits.length, data);
      return new CpuTensor(x.shape, data, this);
    }
    if (x instanceof CpuBlockTensor && x.owner === this) {
      const data = new Float32Array(numel(x.shape));
      decodeBlocks(x.format, x.bytes, 0, data.length, data);
      return new CpuTensor(x.shape, data, this);
    }
    if (!(x instanceof CpuTensor) || x.owner !== this) {
      throw new Error(`cpu backend: ${what} is not a tensor of this backend`);
    }
    return x;
  }

  /** Row reader for the matrix ops: 16-bit weights are decoded row by row, never whole. */
  private rows(x: Tensor, what: string): Rows {
    if (x instanceof CpuHalfTensor && x.owner === this) {
      const n = x.shape[x.shape.length - 1];
      return {
        shape: x.shape,
        row: (r, scratch) => {
          decodeHalfInto(x.dtype, x.bits, r * n, n, scratch);
          return scratch.subarray(0, n);
        },
      };
    }
    if (x instanceof CpuBlockTensor && x.owner === this) {
      const n = x.shape[x.shape.length - 1];
      return {
        shape: x.shape,
        row: (r, scratch) => {
          decodeBlocks(x.format, x.bytes, r * x.rowBytes, n, scratch);
          return scratch.subarray(0, n);
        },
      };
    }
    const a = this.t(x, what);
    const n = a.shape[a.shape.length - 1];
    return { shape: a.shape, row: (r) => a.data.subarray(r * n, (r + 1) * n) };
  }

  /** Bytes the tensor's storage occupies (2 per value for 16-bit weights, else 4). */
  storedBytes(x: Tensor): number {
    if (x instanceof CpuHalfTensor && x.owner === this) return x.bits.byteLength;
    if (x instanceof CpuBlockTensor && x.owner === this) return x.bytes.byteLength;
    return this.t(x, 'tensor').data.byteLength;
  }

  protected make(shape: readonly number[], data?: Float32Array): CpuTensor {
    const n = numel(shape);
    if (data && data.length !== n) {
      throw new Error(`cpu backend: ${data.length} values do not fill shape ${shapeString(shape)} (${n})`);
    }
    return new CpuTensor([...shape], data ?? new Float32Array(n), this);
  }

  /**
   * Direct access for code that is CPU-only by nature (tests, host-side reductions). For a
   * 16-bit weight this is a fresh decoded copy.
   */
  data(x: Tensor): Float32Array {
    return this.t(x, 'tensor').data;
  }

  upload(data: Float32Array, shape: readonly number[]): Tensor {
    return this.make(shape, Float32Array.from(data));
  }

  uploadWeight(weight: HostWeight): Tensor {
    if (isBlockDType(weight.dtype)) return this.uploadBlocks(weight, weight.dtype);
    // Matrices stay in their stored 16-bit dtype (2 bytes a value); vectors (norm weights,
    // biases) are widened: they are small and elementwise ops read them everywhere.
    if (weight.dtype !== 'F32' && weight.shape.length === 2 && weight.data instanceof Uint16Array) {
      if (weight.data.length !== numel(weight.shape)) {
        throw new Error(`cpu backend: weight ${weight.name} has ${weight.data.length} values for shape ${shapeString(weight.shape)}`);
      }
      return new CpuHalfTensor([...weight.shape], weight.dtype, weight.data, this);
    }
    return this.make(weight.shape, Float32Array.from(toFloat32(weight)));
  }

  /** Q8_0/Q4_0 matrices keep their ggml blocks (decoded row by row in the matrix ops). */
  private uploadBlocks(weight: HostWeight, dtype: BlockDType): Tensor {
    const { name, shape, data } = weight;
    if (shape.length !== 2 || !(data instanceof Uint8Array)) {
      throw new Error(`cpu backend: weight ${name} (${dtype}) must be a matrix of raw blocks (Uint8Array), got shape ${shapeString(shape)}`);
    }
    const format = blockFormat(dtype);
    const rowBytes = blockRowBytes(format, shape[1], `cpu backend: weight ${name}`);
    if (data.length !== rowBytes * shape[0]) {
      throw new Error(`cpu backend: weight ${name} has ${data.length} bytes, expected ${rowBytes * shape[0]} for ${dtype} ${shapeString(shape)}`);
    }
    return new CpuBlockTensor([...shape], format, data, rowBytes, this);
  }

  /**
   * The activations a matmul with weight `w` multiplies: `x` itself, or in llama.cpp parity
   * mode x rounded as ggml rounds it for w's storage (rows of x are the last axis).
   */
  private matmulInput(x: CpuTensor, w: Tensor): CpuTensor {
    if (!this.options.llamaCppParity) return x;
    const n = x.shape[x.shape.length - 1];
    if (w instanceof CpuBlockTensor) {
      if (n % 32 !== 0) throw new Error(`llama.cpp parity: activation rows of ${n} values are not whole Q8_0 blocks`);
      const out = new Float32Array(x.data.length);
      for (let r = 0; r < x.data.length; r += n) roundRowToQ8_0(x.data, out, r, n);
      return new CpuTensor(x.shape, out, this);
    }
    if (w instanceof CpuHalfTensor && w.dtype === 'F16') return new CpuTensor(x.shape, x.data.map(roundToHalf), this);
    return x;
  }

  async read(tensors: readonly Tensor[]): Promise<Float32Array[]> {
    return tensors.map((x) => (x instanceof CpuHalfTensor || x instanceof CpuBlockTensor ? this.t(x, 'read input').data : Float32Array.from(this.t(x, 'read input').data)));
  }

  dispose(): void {
    // Garbage-collected.
  }

  async sync(): Promise<void> {}

  reshape(x: Tensor, shape: readonly number[]): Tensor {
    if (x instanceof CpuHalfTensor && x.owner === this) {
      if (numel(shape) !== x.bits.length) throw new Error(`reshape: cannot view ${shapeString(x.shape)} as ${shapeString(shape)}`);
      return shape.length === 2 ? new CpuHalfTensor([...shape], x.dtype, x.bits, this) : this.reshape(this.t(x, 'reshape input'), shape);
    }
    const a = this.t(x, 'reshape input');
    if (numel(shape) !== a.data.length) {
      throw new Error(`reshape: cannot view ${shapeString(a.shape)} as ${shapeString(shape)}`);
    }
    return new CpuTensor([...shape], a.data, this);
  }

  slice(x: Tensor, axis: number, start: number, end: number): Tensor {
    const a = this.t(x, 'slice input');
    const dim = a.shape[axis];
    if (axis < 0 || axis >= a.shape.length || start < 0 || end > dim || start > end) {
      throw new Error(`slice: [${start}, ${end}) on axis ${axis} of ${shapeString(a.shape)}`);
    }
    const outer = numel(a.shape.slice(0, axis));
    const inner = numel(a.shape.slice(axis + 1));
    const shape = [...a.shape];
    shape[axis] = end - start;
    const out = new Float32Array(numel(shape));
    const len = (end - start) * inner;
    for (let o = 0; o < outer; o++) {
      out.set(a.data.subarray(o * dim * inner + start * inner, o * dim * inner + start * inner + len), o * len);
    }
    return this.make(shape, out);
  }

  concat(tensors: readonly Tensor[], axis: number): Tensor {
    const ts = tensors.map((x, i) => this.t(x, `concat input ${i}`));
    const first = ts[0];
    for (const x of ts) {
      const ok = x.shape.length === first.shape.length && x.shape.every((s, i) => i === axis || s === first.shape[i]);
      if (!ok) throw new Error(`concat: ${shapeString(x.shape)} does not match ${shapeString(first.shape)} off axis ${axis}`);
    }
    const shape = [...first.shape];
    shape[axis] = ts.reduce((s, x) => s + x.shape[axis], 0);
    const outer = numel(first.shape.slice(0, axis));
    const inner = numel(first.shape.slice(axis + 1));
    const out = new Float32Array(numel(shape));
    let off = 0;
    for (let o = 0; o < outer; o++) {
      for (const x of ts) {
        const len = x.shape[axis] * inner;
        out.set(x.data.subarray(o * len, (o + 1) * len), off);
        off += len;
      }
    }
    return this.make(shape, out);
  }

  expand(x: Tensor, shape: readonly number[]): Tensor {
    const a = this.t(x, 'expand input');
    if (a.shape.length !== shape.length || a.shape.some((s, i) => s !== 1 && s !== shape[i])) {
      throw new Error(`expand: cannot broadcast ${shapeString(a.shape)} to ${shapeString(shape)}`);
    }
    const src = strides(a.shape).map((s, i) => (a.shape[i] === 1 ? 0 : s));
    return this.make(shape, gatherStrided(a.data, shape, src));
  }

  permute(x: Tensor, perm: readonly number[]): Tensor {
    const a = this.t(x, 'permute input');
    if (perm.length !== a.shape.length || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) {
      throw new Error(`permute: ${JSON.stringify(perm)} is not a permutation of ${a.shape.length} axes`);
    }
    const shape = perm.map((p) => a.shape[p]);
    const srcStrides = strides(a.shape);
    return this.make(shape, gatherStrided(a.data, shape, perm.map((p) => srcStrides[p])));
  }

  private binary(x: Tensor, y: Tensor, name: string, f: Binary): Tensor {
    const a = this.t(x, `${name} a`);
    const b = this.t(y, `${name} b`);
    const out = new Float32Array(a.data.length);
    if (sameShape(a.shape, b.shape)) {
      for (let i = 0; i < out.length; i++) out[i] = f(a.data[i], b.data[i]);
    } else if (b.shape.length <= a.shape.length && sameShape(b.shape, a.shape.slice(a.shape.length - b.shape.length))) {
      const n = b.data.length;
      for (let i = 0; i < out.length; i++) out[i] = f(a.data[i], b.data[i % n]);
    } else if (
      b.shape.length === a.shape.length &&
      b.shape[b.shape.length - 1] === 1 &&
      sameShape(b.shape.slice(0, -1), a.shape.slice(0, -1))
    ) {
      const last = a.shape[a.shape.length - 1];
      for (let i = 0; i < out.length; i++) out[i] = f(a.data[i], b.data[Math.floor(i / last)]);
    } else {
      throw new Error(`${name}: cannot broadcast ${shapeString(b.shape)} onto ${shapeString(a.shape)}`);
    }
    return this.make(a.shape, out);
  }

  add(a: Tensor, b: Tensor): Tensor {
    return this.binary(a, b, 'add', (p, q) => p + q);
  }
  sub(a: Tensor, b: Tensor): Tensor {
    return this.binary(a, b, 'sub', (p, q) => p - q);
  }
  mul(a: Tensor, b: Tensor): Tensor {
    return this.binary(a, b, 'mul', (p, q) => p * q);
  }
  div(a: Tensor, b: Tensor): Tensor {
    return this.binary(a, b, 'div', (p, q) => p / q);
  }

  scale(x: Tensor, factor: number): Tensor {
    const a = this.t(x, 'scale input');
    return this.make(a.shape, a.data.map((v) => v * factor));
  }

  unary(x: Tensor, kind: UnaryKind): Tensor {
    const a = this.t(x, `${kind} input`);
    return this.make(a.shape, a.data.map((v) => unaryScalar(kind, v)));
  }

  unaryGrad(x: Tensor, kind: UnaryKind): Tensor {
    const a = this.t(x, `${kind} gradient input`);
    return this.make(a.shape, a.data.map((v) => unaryGradScalar(kind, v)));
  }

  select(mask: Tensor, x: Tensor, y: Tensor): Tensor {
    const m = this.t(mask, 'select mask');
    const a = this.t(x, 'select a');
    const b = this.t(y, 'select b');
    if (!sameShape(m.shape, a.shape) || !sameShape(a.shape, b.shape)) {
      throw new Error(`select: shapes ${shapeString(m.shape)}, ${shapeString(a.shape)}, ${shapeString(b.shape)} differ`);
    }
    const out = new Float32Array(a.data.length);
    for (let i = 0; i < out.length; i++) out[i] = m.data[i] !== 0 ? a.data[i] : b.data[i];
    return this.make(a.shape, out);
  }

  fill(shape: readonly number[], value: number): Tensor {
    return this.make(shape, new Float32Array(numel(shape)).fill(value));
  }

  private reduce(x: Tensor, axis: number, divide: boolean): Tensor {
    const a = this.t(x, 'reduction input');
    if (axis < 0 || axis >= a.shape.length) throw new Error(`reduction: axis ${axis} of ${shapeString(a.shape)}`);
    const dim = a.shape[axis];
    const outer = numel(a.shape.slice(0, axis));
    const inner = numel(a.shape.slice(axis + 1));
    const shape = [...a.shape];
    shape[axis] = 1;
    const out = new Float32Array(outer * inner);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let s = 0;
        for (let k = 0; k < dim; k++) s += a.data[(o * dim + k) * inner + i];
        out[o * inner + i] = divide ? s / dim : s;
      }
    }
    return this.make(shape, out);
  }

  mean(x: Tensor, axis: number): Tensor {
    return this.reduce(x, axis, true);
  }
  sum(x: Tensor, axis: number): Tensor {
    return this.reduce(x, axis, false);
  }

  keepTopK(x: Tensor, k: number): Tensor {
    const a = this.t(x, 'keepTopK input');
    if (!Number.isInteger(k) || k < 0) throw new Error(`keepTopK: k must be a non-negative integer (got ${k})`);
    const n = a.shape.length === 0 ? 1 : a.shape[a.shape.length - 1];
    const out = new Float32Array(a.data.length);
    const order = Array.from({ length: n }, (_, i) => i);
    for (let base = 0; base < a.data.length; base += n) {
      // Descending by value, ties by index: the same total order the WGSL kernel ranks by.
      order.sort((i, j) => a.data[base + j] - a.data[base + i] || i - j);
      for (let r = 0; r < Math.min(k, n); r++) out[base + order[r]] = a.data[base + order[r]];
    }
    return this.make(a.shape, out);
  }

  gather(table: Tensor, ids: Int32Array): Tensor {
    const w = this.rows(table, 'gather table');
    const [vocab, d] = w.shape;
    const out = new Float32Array(ids.length * d);
    const scratch = new Float32Array(d);
    ids.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0 || id >= vocab) {
        throw new Error(`gather: token id ${id} at index ${i} is outside the vocabulary [0, ${vocab})`);
      }
      out.set(w.row(id, scratch), i * d);
    });
    return this.make([ids.length, d], out);
  }

  linear(x: Tensor, w: Tensor, bias?: Tensor): Tensor {
    const a = this.matmulInput(this.t(x, 'linear input'), w);
    const W = this.rows(w, 'linear weight');
    const [nOut, nIn] = W.shape;
    if (a.shape[a.shape.length - 1] !== nIn) {
      throw new Error(`linear: input ${shapeString(a.shape)} does not end in ${nIn} (weight ${shapeString(W.shape)})`);
    }
    const b = bias ? this.t(bias, 'linear bias').data : undefined;
    if (b && b.length !== nOut) throw new Error(`linear: bias has ${b.length} values, expected ${nOut}`);
    const rows = a.data.length / nIn;
    const out = new Float32Array(rows * nOut);
    const xd = a.data;
    const scratch = new Float32Array(nIn);
    // Weight rows outermost: each (possibly 16-bit) row is decoded once for all input rows.
    for (let o = 0; o < nOut; o++) {
      const wd = W.row(o, scratch);
      for (let r = 0; r < rows; r++) {
        const xo = r * nIn;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let k = 0;
        for (; k + 3 < nIn; k += 4) {
          s0 += xd[xo + k] * wd[k];
          s1 += xd[xo + k + 1] * wd[k + 1];
          s2 += xd[xo + k + 2] * wd[k + 2];
          s3 += xd[xo + k + 3] * wd[k + 3];
        }
        for (; k < nIn; k++) s0 += xd[xo + k] * wd[k];
        out[r * nOut + o] = s0 + s1 + s2 + s3 + (b ? b[o] : 0);
      }
    }
    return this.make([...a.shape.slice(0, -1), nOut], out);
  }

  linearTransposed(x: Tensor, w: Tensor): Tensor {
    const a = this.t(x, 'linearTransposed input');
    const W = this.rows(w, 'linearTransposed weight');
    const [nOut, nIn] = W.shape;
    if (W.shape.length !== 2 || a.shape[a.shape.length - 1] !== nOut) {
      throw new Error(`linearTransposed: input ${shapeString(a.shape)} does not end in ${nOut} (weight ${shapeString(W.shape)})`);
    }
    const rows = a.data.length / nOut;
    const acc = new Float64Array(rows * nIn);
    const scratch = new Float32Array(nIn);
    // Weight rows outermost (decoded once); gradients are often sparse (one position, one logit).
    for (let o = 0; o < nOut; o++) {
      let wd: Float32Array | null = null;
      for (let r = 0; r < rows; r++) {
        const g = a.data[r * nOut + o];
        if (g === 0) continue;
        wd ??= W.row(o, scratch);
        const base = r * nIn;
        for (let i = 0; i < nIn; i++) acc[base + i] += g * wd[i];
      }
    }
    const out = Float32Array.from(acc);
    return this.make([...a.shape.slice(0, -1), nIn], out);
  }

  matmul(x: Tensor, y: Tensor): Tensor {
    const a = this.t(x, 'matmul a');
    const b = this.t(y, 'matmul b');
    const batched = a.shape.length === 3;
    if (a.shape.length !== b.shape.length || (a.shape.length !== 2 && !batched) || (batched && a.shape[0] !== b.shape[0])) {
      throw new Error(`matmul: shapes ${shapeString(a.shape)} and ${shapeString(b.shape)} are not [m,k]·[k,n] (optionally batched)`);
    }
    const nb = batched ? a.shape[0] : 1;
    const [m, k] = a.shape.slice(-2);
    const [k2, n] = b.shape.slice(-2);
    if (k !== k2) throw new Error(`matmul: inner dimensions ${k} and ${k2} differ`);
    const out = new Float32Array(nb * m * n);
    const acc = new Float64Array(n);
    for (let bi = 0; bi < nb; bi++) {
      for (let i = 0; i < m; i++) {
        acc.fill(0);
        for (let j = 0; j < k; j++) {
          const av = a.data[(bi * m + i) * k + j];
          const bo = (bi * k + j) * n;
          for (let c = 0; c < n; c++) acc[c] += av * b.data[bo + c];
        }
        for (let c = 0; c < n; c++) out[(bi * m + i) * n + c] = acc[c];
      }
    }
    return this.make(batched ? [nb, m, n] : [m, n], out);
  }

  normScale(x: Tensor, center: boolean, eps: number): Tensor {
    const a = this.t(x, 'normScale input');
    const d = a.shape[a.shape.length - 1];
    const rows = a.data.length / d;
    const out = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      let mu = 0;
      if (center) {
        for (let i = 0; i < d; i++) mu += a.data[r * d + i];
        mu /= d;
      }
      let ss = 0;
      for (let i = 0; i < d; i++) {
        const v = a.data[r * d + i] - mu;
        ss += v * v;
      }
      out[r] = Math.sqrt(ss / d + eps);
    }
    return this.make([...a.shape.slice(0, -1), 1], out);
  }

  normalize(x: Tensor, scale: Tensor, center: boolean): Tensor {
    const a = this.t(x, 'normalize input');
    const s = this.t(scale, 'normalize scale');
    const d = a.shape[a.shape.length - 1];
    const rows = a.data.length / d;
    if (s.data.length !== rows) throw new Error(`normalize: scale ${shapeString(s.shape)} does not match ${shapeString(a.shape)}`);
    const out = new Float32Array(a.data.length);
    for (let r = 0; r < rows; r++) {
      let mu = 0;
      if (center) {
        for (let i = 0; i < d; i++) mu += a.data[r * d + i];
        mu /= d;
      }
      for (let i = 0; i < d; i++) out[r * d + i] = (a.data[r * d + i] - mu) / s.data[r];
    }
    return this.make(a.shape, out);
  }

  rope(x: Tensor, positions: Int32Array, rotaryDims: number, theta: number, freqs?: RopeFrequencies): Tensor {
    const a = this.t(x, 'rope input');
    const [batch, pos, heads, dHead] = a.shape;
    if (positions.length !== batch * pos) throw new Error(`rope: ${positions.length} positions for ${batch}×${pos} tokens`);
    if (rotaryDims % 2 !== 0 || rotaryDims > dHead) throw new Error(`rope: rotaryDims ${rotaryDims} must be even and ≤ dHead ${dHead}`);
    const half = rotaryDims / 2;
    if (freqs && freqs.invFreq.length !== half) throw new Error(`rope: ${freqs.invFreq.length} frequencies for ${rotaryDims} rotary dims`);
    const amplitude = freqs?.amplitude ?? 1;
    const out = Float32Array.from(a.data);
    for (let t = 0; t < batch * pos; t++) {
      for (let j = 0; j < half; j++) {
        // inv_freq in f32 as the reference implementations compute it, then the angle in f64.
        const invFreq = freqs ? freqs.invFreq[j] : Math.fround(1 / Math.pow(theta, (2 * j) / rotaryDims));
        const angle = positions[t] * invFreq;
        const c = Math.cos(angle) * amplitude;
        const sn = Math.sin(angle) * amplitude;
        for (let h = 0; h < heads; h++) {
          const o = (t * heads + h) * dHead;
          const x1 = a.data[o + j];
          const x2 = a.data[o + j + half];
          out[o + j] = x1 * c - x2 * sn;
          out[o + j + half] = x2 * c + x1 * sn;
        }
      }
    }
    return this.make(a.shape, out);
  }

  attentionScores(q: Tensor, k: Tensor, scale: number, mask: AttentionMask, softcap?: number): Tensor {
    const Q = this.t(q, 'attention q');
    const K = this.t(k, 'attention k');
    const [batch, pos, heads, dHead] = Q.shape;
    const [kb, kvPos, kvHeads, kd] = K.shape;
    if (kb !== batch || kd !== dHead || heads % kvHeads !== 0) {
      throw new Error(`attentionScores: q ${shapeString(Q.shape)} and k ${shapeString(K.shape)} are incompatible`);
    }
    if (mask.keyValid && mask.keyValid.length !== batch * kvPos) {
      throw new Error(`attentionScores: keyValid has ${mask.keyValid.length} entries, expected ${batch * kvPos}`);
    }
    const group = heads / kvHeads;
    const out = new Float32Array(batch * heads * pos * kvPos);
    for (let b = 0; b < batch; b++) {
      for (let h = 0; h < heads; h++) {
        const kh = Math.floor(h / group);
        for (let i = 0; i < pos; i++) {
          const limit = mask.queryOffset + i;
          const first = mask.window === undefined ? 0 : limit - mask.window + 1;
          for (let j = 0; j < kvPos; j++) {
            const o = ((b * heads + h) * pos + i) * kvPos + j;
            if (j > limit || j < first || (mask.keyValid && mask.keyValid[b * kvPos + j] === 0)) {
              out[o] = -Infinity;
              continue;
            }
            const qo = ((b * pos + i) * heads + h) * dHead;
            const ko = ((b * kvPos + j) * kvHeads + kh) * dHead;
            let s = 0;
            for (let c = 0; c < dHead; c++) s += Q.data[qo + c] * K.data[ko + c];
            out[o] = softcap === undefined ? s * scale : softcap * Math.tanh((s * scale) / softcap);
          }
        }
      }
    }
    return this.make([batch, heads, pos, kvPos], out);
  }

  softmax(x: Tensor): Tensor {
    const a = this.t(x, 'softmax input');
    const n = a.shape[a.shape.length - 1];
    const rows = a.data.length / n;
    const out = new Float32Array(a.data.length);
    for (let r = 0; r < rows; r++) {
      let max = -Infinity;
      for (let i = 0; i < n; i++) max = Math.max(max, a.data[r * n + i]);
      if (max === -Infinity) continue; // fully masked row (a padding query): all zeros
      let s = 0;
      for (let i = 0; i < n; i++) s += Math.exp(a.data[r * n + i] - max);
      for (let i = 0; i < n; i++) out[r * n + i] = Math.exp(a.data[r * n + i] - max) / s;
    }
    return this.make(a.shape, out);
  }

  attentionMix(pattern: Tensor, v: Tensor): Tensor {
    const P = this.t(pattern, 'attention pattern');
    const V = this.t(v, 'attention v');
    const [batch, heads, pos, kvPos] = P.shape;
    const [vb, vPos, kvHeads, dHead] = V.shape;
    if (vb !== batch || vPos !== kvPos || heads % kvHeads !== 0) {
      throw new Error(`attentionMix: pattern ${shapeString(P.shape)} and v ${shapeString(V.shape)} are incompatible`);
    }
    const group = heads / kvHeads;
    const out = new Float32Array(batch * pos * heads * dHead);
    const acc = new Float64Array(dHead);
    for (let b = 0; b < batch; b++) {
      for (let h = 0; h < heads; h++) {
        const kh = Math.floor(h / group);
        for (let i = 0; i < pos; i++) {
          acc.fill(0);
          for (let j = 0; j < kvPos; j++) {
            const p = P.data[((b * heads + h) * pos + i) * kvPos + j];
            if (p === 0) continue;
            const vo = ((b * kvPos + j) * kvHeads + kh) * dHead;
            for (let c = 0; c < dHead; c++) acc[c] += p * V.data[vo + c];
          }
          out.set(acc, ((b * pos + i) * heads + h) * dHead);
        }
      }
    }
    return this.make([batch, pos, heads, dHead], out);
  }

  headResult(z: Tensor, wO: Tensor): Tensor {
    const Z = this.matmulInput(this.t(z, 'headResult z'), wO);
    const W = this.rows(wO, 'headResult wO');
    const [batch, pos, heads, dHead] = Z.shape;
    const [dModel, inner] = W.shape;
    if (inner !== heads * dHead) throw new Error(`headResult: wO ${shapeString(W.shape)} does not match z ${shapeString(Z.shape)}`);
    const out = new Float32Array(batch * pos * heads * dModel);
    const scratch = new Float32Array(inner);
    for (let o = 0; o < dModel; o++) {
      const wRow = W.row(o, scratch);
      for (let t = 0; t < batch * pos; t++) {
        for (let h = 0; h < heads; h++) {
          const zo = (t * heads + h) * dHead;
          let s = 0;
          for (let c = 0; c < dHead; c++) s += Z.data[zo + c] * wRow[h * dHead + c];
          out[(t * heads + h) * dModel + o] = s;
        }
      }
    }
    return this.make([batch, pos, heads, dModel], out);
  }
}

export function createCpuBackend(options: CpuBackendOptions = {}): CpuBackend {
  return new CpuBackend(options);
}
