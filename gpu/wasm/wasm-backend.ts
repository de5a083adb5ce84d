/**
 * The fast CPU backend: the reference CPU backend (gpu/cpu) with its heavy ops replaced by
 * WebAssembly SIMD kernels (gpu/wasm/kernels) and weight matrices resident in WebAssembly memory
 * in their stored dtype (F32, F16, BF16; widened inside the GEMM), f32 accumulation throughout.
 *
 * Robust to interface growth by construction: it extends CpuBackend, so every op it does not
 * accelerate — and every op, dtype or option added to the interface later — runs the reference
 * implementation on f32 data. An accelerated op hands over to the reference whenever it sees
 * arguments it was not written for (an extra parameter, an unknown mask field, a tensor kind it
 * cannot read directly); the reference then also produces the error message for bad input.
 * Activations are ordinary Float32Arrays (garbage-collected, as in the reference); an op copies
 * its inputs into WebAssembly scratch memory, runs, and copies its output out.
 */
import type { AttentionMask, BackendInfo, HostWeight, LinearFusion, Tensor, UnaryKind } from '../backend.ts';
import { numel } from '../backend.ts';
import { CpuBackend } from '../cpu/backend.ts';
import type { GemmCall, WasmRuntime } from './runtime.ts';
import { WEIGHT_KINDS, elementBytes } from './kinds.ts';
import type { BinaryOp } from './elementwise.ts';
import { binaryF32, broadcastsAsSuffix } from './elementwise.ts';

/** A weight matrix in WebAssembly memory, rows `rowBytes` apart, in its stored dtype. */
class WasmWeight implements Tensor {
  released = false;
  constructor(
    readonly shape: readonly number[],
    readonly dtype: HostWeight['dtype'],
    readonly kind: number,
    readonly ptr: number,
    readonly rowBytes: number,
    readonly owner: WasmBackend,
  ) {}
}

/** A matrix operand as the GEMM reads it: an address, a row stride in bytes and a dtype kind. */
interface Operand {
  readonly ptr: number;
  readonly rowBytes: number;
  readonly kind: number;
}

const UNARY_KERNELS: ReadonlyMap<UnaryKind, number> = new Map<UnaryKind, number>([
  ['gelu_tanh', 0],
  ['gelu_erf', 1],
  ['silu', 2],
  ['relu', 3],
]);

/** Whether an op got arguments beyond those its kernel implements (undefined counts as absent). */
function extra(rest: readonly unknown[]): boolean {
  return rest.some((a) => a !== undefined);
}

/** LinearFusion fields the fused kernel path implements; any other field runs the primitive ops. */
const FUSION_FIELDS = new Set(['norm', 'bias', 'activation', 'multiply', 'residual']);
const NORM_FIELDS = new Set(['center', 'eps', 'weight', 'bias']);

/** Defined fields of `o` outside `known`. */
function unknownFields(o: object, known: ReadonlySet<string>): string[] {
  return Object.keys(o).filter((f) => !known.has(f) && (o as Record<string, unknown>)[f] !== undefined);
}

/** Mask fields the attention kernel implements; any other field hands over to the reference. */
const MASK_FIELDS = new Set(['queryOffset', 'keyValid', 'window']);

function knownMask(mask: AttentionMask): boolean {
  return Object.keys(mask).every((f) => MASK_FIELDS.has(f) || (mask as unknown as Record<string, unknown>)[f] === undefined);
}

export class WasmBackend extends CpuBackend {
  override readonly info: BackendInfo;
  /** Scratch blocks of the op in progress, released when it returns. */
  private scratch: number[] = [];

  constructor(private readonly rt: WasmRuntime) {
    super();
    const simd = rt.relaxed ? 'SIMD128 + relaxed FMA' : 'SIMD128';
    this.info = { name: 'wasm', adapter: `CPU (WebAssembly ${simd}, ${rt.threads} thread${rt.threads === 1 ? '' : 's'})` };
  }

  // ---- storage ------------------------------------------------------------------------

  override uploadWeight(weight: HostWeight): Tensor {
    const kind = WEIGHT_KINDS.get(weight.dtype);
    if (kind === undefined || weight.shape.length !== 2) return super.uploadWeight(weight);
    const [rows, cols] = weight.shape;
    const expected = weight.dtype === 'F32' ? Float32Array : Uint16Array;
    if (!(weight.data instanceof expected) || weight.data.length !== rows * cols) return super.uploadWeight(weight);
    const src = new Uint8Array(weight.data.buffer, weight.data.byteOffset, weight.data.byteLength);
    const ptr = this.rt.heap.alloc(src.byteLength);
    this.rt.heap.u8(ptr, src.byteLength).set(src);
    return new WasmWeight([rows, cols], weight.dtype, kind, ptr, cols * elementBytes(kind), this);
  }

  /** Reference ops read a resident weight as a temporary f32 copy. */
  protected override t(x: Tensor, what: string) {
    if (x instanceof WasmWeight && x.owner === this) return this.make(x.shape, this.decodeWeight(x));
    return super.t(x, what);
  }

  override storedBytes(x: Tensor): number {
    if (x instanceof WasmWeight && x.owner === this) return x.rowBytes * x.shape[0];
    return super.storedBytes(x);
  }

  override dispose(x?: Tensor): void {
    if (x instanceof WasmWeight && x.owner === this && !x.released) {
      x.released = true;
      this.rt.heap.release(x.ptr);
    }
  }

  /** Stops the GEMM worker threads. */
  close(): void {
    this.rt.close();
  }

  /** Runs GEMMs on the worker threads too (true, the default) or on the calling thread only. */
  setThreaded(on: boolean): void {
    this.rt.useThreads = on;
  }

  /** Threads a large GEMM runs on now. */
  get threads(): number {
    return this.rt.threads;
  }

  private decodeWeight(w: WasmWeight): Float32Array {
    const [rows, cols] = w.shape;
    const dst = this.rt.heap.alloc(rows * cols * 4);
    try {
      for (let r = 0; r < rows; r++) this.rt.kernels.decodeRun(w.kind, w.ptr + r * w.rowBytes, 0, cols, dst + r * cols * 4);
      return this.rt.heap.f32(dst, rows * cols).slice();
    } finally {
      this.rt.heap.release(dst);
    }
  }

  // ---- scratch ------------------------------------------------------------------------

  /** Runs one accelerated op, releasing its scratch afterwards (also on error). */
  private withScratch<T>(body: () => T): T {
    const outer = this.scratch;
    this.scratch = [];
    try {
      return body();
    } finally {
      for (const at of this.scratch) this.rt.heap.release(at);
      this.scratch = outer;
    }
  }

  private scratchAlloc(bytes: number): number {
    const at = this.rt.heap.alloc(bytes);
    this.scratch.push(at);
    return at;
  }

  /** Copies f32 values into scratch. */
  private copyIn(data: Float32Array): number {
    const at = this.scratchAlloc(data.byteLength);
    this.rt.heap.f32(at, data.length).set(data);
    return at;
  }

  /** A tensor's f32 values (a resident weight decoded). */
  private f32Of(x: Tensor, what: string): Float32Array {
    return this.t(x, what).data;
  }

  /** A [rows, cols] matrix operand: a resident weight in place, anything else staged as f32. */
  private matrixOperand(x: Tensor, what: string): Operand {
    if (x instanceof WasmWeight && x.owner === this) return { ptr: x.ptr, rowBytes: x.rowBytes, kind: x.kind };
    const cols = x.shape[x.shape.length - 1];
    return { ptr: this.copyIn(this.f32Of(x, what)), rowBytes: cols * 4, kind: 0 };
  }

  private copyOut(shape: readonly number[], at: number): Tensor {
    return this.make(shape, this.rt.heap.f32(at, numel(shape)).slice());
  }

  // ---- matrix ops ---------------------------------------------------------------------

  override linear(x: Tensor, w: Tensor, bias?: Tensor, ...rest: unknown[]): Tensor {
    const [nOut, nIn] = w.shape;
    const rows = numel(x.shape) / nIn;
    if (extra(rest) || w.shape.length !== 2 || x.shape[x.shape.length - 1] !== nIn || nIn === 0 || (bias && numel(bias.shape) !== nOut)) {
      return (super.linear as (...a: unknown[]) => Tensor).call(this, x, w, bias, ...rest);
    }
    return this.withScratch(() => {
      const W = this.matrixOperand(w, 'linear weight');
      const a = this.copyIn(this.f32Of(x, 'linear input'));
      const b = bias ? this.copyIn(this.f32Of(bias, 'linear bias')) : 0;
      const c = this.scratchAlloc(rows * nOut * 4);
      this.rt.gemm({ M: rows, N: nOut, K: nIn, a, lda: nIn, b: W.ptr, ldb: W.rowBytes, kind: W.kind, bRowsAreN: true, c, ldc: nOut, bias: b });
      return this.copyOut([...x.shape.slice(0, -1), nOut], c);
    });
  }

  /**
   * The interface's optional fused linear: the pre-norm, the GEMM with its bias, the activation
   * and the gate product or residual add all in WebAssembly memory, one copy in and one out
   * (the forward pass uses it where no hook reads the intermediates). Anything the kernels do
   * not implement runs the primitive ops in the stated order.
   */
  linearFused(x: Tensor, w: Tensor, fusion: LinearFusion, ...rest: unknown[]): Tensor {
    const [nOut, nIn] = w.shape;
    const { norm, bias, activation, multiply, residual } = fusion;
    const outShape = [...x.shape.slice(0, -1), nOut];
    const sameAsOut = (t: Tensor | undefined) => !t || (t.shape.length === outShape.length && t.shape.every((s, i) => s === outShape[i]));
    const vector = (t: Tensor | undefined, n: number) => !t || numel(t.shape) === n;
    // A part added to LinearFusion later has no reference to hand over to (CpuBackend has no
    // linearFused): refuse it rather than compute without it.
    const unknown = [...unknownFields(fusion, FUSION_FIELDS), ...(norm ? unknownFields(norm, NORM_FIELDS).map((f) => `norm.${f}`) : [])];
    if (extra(rest)) unknown.push('extra arguments');
    if (unknown.length > 0) throw new Error(`linearFused: the fast CPU backend does not implement ${unknown.join(', ')}`);
    const fits = w.shape.length === 2 && nIn > 0 &&
      x.shape[x.shape.length - 1] === nIn && vector(bias, nOut) && (!norm || (vector(norm.weight, nIn) && vector(norm.bias, nIn))) &&
      (activation === undefined || UNARY_KERNELS.has(activation)) && !(multiply && residual) && sameAsOut(multiply) && sameAsOut(residual);
    if (!fits) return this.composedLinear(x, w, fusion);
    const rows = numel(x.shape) / nIn;
    return this.withScratch(() => {
      const W = this.matrixOperand(w, 'linearFused weight');
      const a = this.copyIn(this.f32Of(x, 'linearFused input'));
      if (norm) {
        const gain = this.copyIn(this.f32Of(norm.weight, 'linearFused norm weight'));
        const shift = norm.bias ? this.copyIn(this.f32Of(norm.bias, 'linearFused norm bias')) : 0;
        this.rt.kernels.normRows(a, a, rows, nIn, norm.center ? 1 : 0, norm.eps, gain, shift);
      }
      const b = bias ? this.copyIn(this.f32Of(bias, 'linearFused bias')) : 0;
      const c = this.scratchAlloc(rows * nOut * 4);
      this.rt.gemm({ M: rows, N: nOut, K: nIn, a, lda: nIn, b: W.ptr, ldb: W.rowBytes, kind: W.kind, bRowsAreN: true, c, ldc: nOut, bias: b });
      if (activation !== undefined) this.rt.kernels.unary(UNARY_KERNELS.get(activation)!, c, c, rows * nOut);
      if (multiply) this.rt.kernels.combineInto(1, c, this.copyIn(this.f32Of(multiply, 'linearFused multiply')), rows * nOut);
      if (residual) this.rt.kernels.combineInto(0, c, this.copyIn(this.f32Of(residual, 'linearFused residual')), rows * nOut);
      return this.copyOut(outShape, c);
    });
  }

  /** linearFused as the primitive ops, in the order LinearFusion states (the reference's arithmetic). */
  private composedLinear(x: Tensor, w: Tensor, fusion: LinearFusion): Tensor {
    const { norm, bias, activation, multiply, residual } = fusion;
    let input = x;
    if (norm) {
      const unit = this.normalize(x, this.normScale(x, norm.center, norm.eps), norm.center);
      const scaled = this.mul(unit, norm.weight);
      input = norm.bias ? this.add(scaled, norm.bias) : scaled;
    }
    let y = this.linear(input, w, bias);
    if (activation !== undefined) y = this.unary(y, activation);
    if (multiply) y = this.mul(y, multiply);
    if (residual) y = this.add(y, residual);
    return y;
  }

  override linearTransposed(x: Tensor, w: Tensor, ...rest: unknown[]): Tensor {
    const [nOut, nIn] = w.shape;
    if (extra(rest) || w.shape.length !== 2 || x.shape[x.shape.length - 1] !== nOut || nOut === 0) {
      return (super.linearTransposed as (...a: unknown[]) => Tensor).call(this, x, w, ...rest);
    }
    const rows = numel(x.shape) / nOut;
    return this.withScratch(() => {
      const W = this.matrixOperand(w, 'linearTransposed weight');
      const a = this.copyIn(this.f32Of(x, 'linearTransposed input'));
      const c = this.scratchAlloc(rows * nIn * 4);
      this.rt.gemm({ M: rows, N: nIn, K: nOut, a, lda: nOut, b: W.ptr, ldb: W.rowBytes, kind: W.kind, bRowsAreN: false, c, ldc: nIn, bias: 0 });
      return this.copyOut([...x.shape.slice(0, -1), nIn], c);
    });
  }

  override matmul(x: Tensor, y: Tensor, ...rest: unknown[]): Tensor {
    const batched = x.shape.length === 3;
    const ok = rest.length === 0 && x.shape.length === y.shape.length && (x.shape.length === 2 || batched) && (!batched || x.shape[0] === y.shape[0]);
    const [m, k] = x.shape.slice(-2);
    const [k2, n] = y.shape.slice(-2);
    if (!ok || k !== k2 || k === 0) return (super.matmul as (...a: unknown[]) => Tensor).call(this, x, y, ...rest);
    const nb = batched ? x.shape[0] : 1;
    return this.withScratch(() => {
      const a = this.copyIn(this.f32Of(x, 'matmul a'));
      const b = this.copyIn(this.f32Of(y, 'matmul b'));
      const c = this.scratchAlloc(nb * m * n * 4);
      for (let i = 0; i < nb; i++) {
        this.rt.gemm({ M: m, N: n, K: k, a: a + i * m * k * 4, lda: k, b: b + i * k * n * 4, ldb: n * 4, kind: 0, bRowsAreN: false, c: c + i * m * n * 4, ldc: n, bias: 0 });
      }
      return this.copyOut(batched ? [nb, m, n] : [m, n], c);
    });
  }

  override headResult(z: Tensor, wO: Tensor, ...rest: unknown[]): Tensor {
    const [batch, pos, heads, dHead] = z.shape;
    const [dModel, inner] = wO.shape;
    const resident = wO instanceof WasmWeight && wO.owner === this;
    if (extra(rest) || z.shape.length !== 4 || wO.shape.length !== 2 || inner !== heads * dHead || dHead === 0 || (resident && elementBytes(wO.kind) === 0)) {
      return (super.headResult as (...a: unknown[]) => Tensor).call(this, z, wO, ...rest);
    }
    const tokens = batch * pos;
    return this.withScratch(() => {
      const W = this.matrixOperand(wO, 'headResult wO');
      const bytes = elementBytes(W.kind);
      const a = this.copyIn(this.f32Of(z, 'headResult z'));
      const c = this.scratchAlloc(tokens * heads * dModel * 4);
      for (let h = 0; h < heads; h++) {
        this.rt.gemm({
          M: tokens, N: dModel, K: dHead,
          a: a + h * dHead * 4, lda: heads * dHead,
          b: W.ptr + h * dHead * bytes, ldb: W.rowBytes, kind: W.kind, bRowsAreN: true,
          c: c + h * dModel * 4, ldc: heads * dModel, bias: 0,
        });
      }
      return this.copyOut([batch, pos, heads, dModel], c);
    });
  }

  override gather(table: Tensor, ids: Int32Array, ...rest: unknown[]): Tensor {
    if (extra(rest) || !(table instanceof WasmWeight) || table.owner !== this) {
      return (super.gather as (...a: unknown[]) => Tensor).call(this, table, ids, ...rest);
    }
    const [vocab, d] = table.shape;
    ids.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0 || id >= vocab) {
        throw new Error(`gather: token id ${id} at index ${i} is outside the vocabulary [0, ${vocab})`);
      }
    });
    return this.withScratch(() => {
      const at = this.scratchAlloc(Math.max(4, ids.byteLength));
      this.rt.heap.i32(at, ids.length).set(ids);
      const out = this.scratchAlloc(ids.length * d * 4);
      this.rt.kernels.gatherRows(table.kind, table.ptr, table.rowBytes, d, at, ids.length, out);
      return this.copyOut([ids.length, d], out);
    });
  }

  // ---- attention ----------------------------------------------------------------------

  /** s[b, h] = Q[b, :, h] · K[b, :, h / group]ᵀ, one GEMM per (batch, head), in WebAssembly memory. */
  private scores(Q: number, K: number, s: number, batch: number, pos: number, heads: number, kvPos: number, kvHeads: number, dHead: number, group: number): void {
    const calls: GemmCall[] = [];
    for (let b = 0; b < batch; b++) {
      for (let h = 0; h < heads; h++) {
        const kh = Math.floor(h / group);
        calls.push({
          M: pos, N: kvPos, K: dHead,
          a: Q + (b * pos * heads + h) * dHead * 4, lda: heads * dHead,
          b: K + (b * kvPos * kvHeads + kh) * dHead * 4, ldb: kvHeads * dHead * 4, kind: 0, bRowsAreN: true,
          c: s + (b * heads + h) * pos * kvPos * 4, ldc: kvPos, bias: 0,
        });
      }
    }
    this.rt.gemms(calls);
  }

  private maskScores(s: number, batch: number, heads: number, pos: number, kvPos: number, scale: number, mask: AttentionMask, window: number): void {
    let valid = 0;
    if (mask.keyValid) {
      valid = this.scratchAlloc(mask.keyValid.length);
      this.rt.heap.u8(valid, mask.keyValid.length).set(mask.keyValid);
    }
    this.rt.kernels.scaleMask(s, batch, heads, pos, kvPos, mask.queryOffset, scale, valid, window);
  }

  /** z[b, :, h] = P[b, h] · V[b, :, h / group], one GEMM per (batch, head). */
  private mix(P: number, V: number, z: number, batch: number, pos: number, heads: number, kvPos: number, kvHeads: number, dHead: number, group: number): void {
    const calls: GemmCall[] = [];
    for (let b = 0; b < batch; b++) {
      for (let h = 0; h < heads; h++) {
        const kh = Math.floor(h / group);
        calls.push({
          M: pos, N: dHead, K: kvPos,
          a: P + (b * heads + h) * pos * kvPos * 4, lda: kvPos,
          b: V + (b * kvPos * kvHeads + kh) * dHead * 4, ldb: kvHeads * dHead * 4, kind: 0, bRowsAreN: false,
          c: z + (b * pos * heads + h) * dHead * 4, ldc: heads * dHead, bias: 0,
        });
      }
    }
    this.rt.gemms(calls);
  }

  override attentionScores(q: Tensor, k: Tensor, scale: number, mask: AttentionMask, ...rest: unknown[]): Tensor {
    const [batch, pos, heads, dHead] = q.shape;
    const [kb, kvPos, kvHeads, kd] = k.shape;
    const known = knownMask(mask);
    const window = mask.window ?? 0;
    if (
      extra(rest) || !known || q.shape.length !== 4 || k.shape.length !== 4 || kb !== batch || kd !== dHead || dHead === 0 ||
      heads % kvHeads !== 0 || (mask.keyValid && mask.keyValid.length !== batch * kvPos) || !Number.isInteger(window) || window < 0
    ) {
      return (super.attentionScores as (...a: unknown[]) => Tensor).call(this, q, k, scale, mask, ...rest);
    }
    const group = heads / kvHeads;
    return this.withScratch(() => {
      const Q = this.copyIn(this.f32Of(q, 'attention q'));
      const K = this.copyIn(this.f32Of(k, 'attention k'));
      const s = this.scratchAlloc(batch * heads * pos * kvPos * 4);
      this.scores(Q, K, s, batch, pos, heads, kvPos, kvHeads, dHead, group);
      this.maskScores(s, batch, heads, pos, kvPos, scale, mask, window);
      return this.copyOut([batch, heads, pos, kvPos], s);
    });
  }

  /**
   * The interface's optional fused attention: scores, mask, softmax and mix in WebAssembly
   * memory, with no scores or pattern copied out. Anything the kernels do not implement (a
   * defined extra argument such as a softcap, an unknown mask field) runs the three ops instead.
   */
  attention(q: Tensor, k: Tensor, v: Tensor, scale: number, mask: AttentionMask, ...rest: unknown[]): Tensor {
    const [batch, pos, heads, dHead] = q.shape;
    const [kb, kvPos, kvHeads, kd] = k.shape;
    const window = mask.window ?? 0;
    const fits = !extra(rest) && knownMask(mask) && q.shape.length === 4 && k.shape.length === 4 && kb === batch && kd === dHead && dHead > 0 &&
      kvPos > 0 && heads % kvHeads === 0 && Number.isInteger(window) && window >= 0 && (!mask.keyValid || mask.keyValid.length === batch * kvPos) &&
      v.shape.length === 4 && v.shape.every((s, i) => s === k.shape[i]);
    if (!fits) {
      const scores = (this.attentionScores as (...a: unknown[]) => Tensor).call(this, q, k, scale, mask, ...rest);
      return this.attentionMix(this.softmax(scores), v);
    }
    const group = heads / kvHeads;
    return this.withScratch(() => {
      const Q = this.copyIn(this.f32Of(q, 'attention q'));
      const K = this.copyIn(this.f32Of(k, 'attention k'));
      const V = this.copyIn(this.f32Of(v, 'attention v'));
      const s = this.scratchAlloc(batch * heads * pos * kvPos * 4);
      const z = this.scratchAlloc(batch * pos * heads * dHead * 4);
      this.scores(Q, K, s, batch, pos, heads, kvPos, kvHeads, dHead, group);
      this.maskScores(s, batch, heads, pos, kvPos, scale, mask, window);
      this.rt.kernels.softmax(s, s, batch * heads * pos, kvPos);
      this.mix(s, V, z, batch, pos, heads, kvPos, kvHeads, dHead, group);
      return this.copyOut([batch, pos, heads, dHead], z);
    });
  }

  /** The interface's optional row log-sum-exp (the loss of `run()`), in WebAssembly. */
  logSumExp(x: Tensor, ...rest: unknown[]): Tensor {
    const n = x.shape[x.shape.length - 1];
    if (extra(rest)) throw new Error('logSumExp: the fast CPU backend does not implement extra arguments');
    if (x.shape.length === 0 || !(n > 0)) throw new Error(`logSumExp: input [${x.shape.join(', ')}] has no last axis to sum over`);
    return this.withScratch(() => {
      const data = this.f32Of(x, 'logSumExp input');
      const rows = data.length / n;
      const at = this.copyIn(data);
      const out = this.scratchAlloc(Math.max(16, rows * 16));
      this.rt.kernels.maxSumExpRows(at, out, rows, n);
      const maxSum = new Float64Array(this.rt.heap.u8(out, rows * 16).slice().buffer);
      const lse = new Float32Array(rows);
      for (let r = 0; r < rows; r++) lse[r] = maxSum[2 * r] === -Infinity ? -Infinity : maxSum[2 * r] + Math.log(maxSum[2 * r + 1]);
      return this.make([...x.shape.slice(0, -1), 1], lse);
    });
  }

  override softmax(x: Tensor, ...rest: unknown[]): Tensor {
    const n = x.shape[x.shape.length - 1];
    if (extra(rest) || x.shape.length === 0 || n === 0) return (super.softmax as (...a: unknown[]) => Tensor).call(this, x, ...rest);
    return this.withScratch(() => {
      const data = this.f32Of(x, 'softmax input');
      const at = this.copyIn(data);
      this.rt.kernels.softmax(at, at, data.length / n, n);
      return this.copyOut(x.shape, at);
    });
  }

  override attentionMix(pattern: Tensor, v: Tensor, ...rest: unknown[]): Tensor {
    const [batch, heads, pos, kvPos] = pattern.shape;
    const [vb, vPos, kvHeads, dHead] = v.shape;
    if (extra(rest) || pattern.shape.length !== 4 || v.shape.length !== 4 || vb !== batch || vPos !== kvPos || kvPos === 0 || heads % kvHeads !== 0) {
      return (super.attentionMix as (...a: unknown[]) => Tensor).call(this, pattern, v, ...rest);
    }
    const group = heads / kvHeads;
    return this.withScratch(() => {
      const P = this.copyIn(this.f32Of(pattern, 'attention pattern'));
      const V = this.copyIn(this.f32Of(v, 'attention v'));
      const z = this.scratchAlloc(batch * pos * heads * dHead * 4);
      this.mix(P, V, z, batch, pos, heads, kvPos, kvHeads, dHead, group);
      return this.copyOut([batch, pos, heads, dHead], z);
    });
  }

  // ---- elementwise --------------------------------------------------------------------

  /** a op b in JavaScript for same-shape and suffix broadcasts; null hands over to the reference. */
  private binaryOp(op: BinaryOp, a: Tensor, b: Tensor, rest: readonly unknown[]): Tensor | null {
    if (extra(rest) || !broadcastsAsSuffix(a.shape, b.shape)) return null;
    return this.make(a.shape, binaryF32(op, this.f32Of(a, `${op} a`), this.f32Of(b, `${op} b`)));
  }

  override add(a: Tensor, b: Tensor, ...rest: unknown[]): Tensor {
    return this.binaryOp('add', a, b, rest) ?? (super.add as (...a: unknown[]) => Tensor).call(this, a, b, ...rest);
  }

  override sub(a: Tensor, b: Tensor, ...rest: unknown[]): Tensor {
    return this.binaryOp('sub', a, b, rest) ?? (super.sub as (...a: unknown[]) => Tensor).call(this, a, b, ...rest);
  }

  override mul(a: Tensor, b: Tensor, ...rest: unknown[]): Tensor {
    return this.binaryOp('mul', a, b, rest) ?? (super.mul as (...a: unknown[]) => Tensor).call(this, a, b, ...rest);
  }

  override div(a: Tensor, b: Tensor, ...rest: unknown[]): Tensor {
    return this.binaryOp('div', a, b, rest) ?? (super.div as (...a: unknown[]) => Tensor).call(this, a, b, ...rest);
  }

  override unary(x: Tensor, kind: UnaryKind, ...rest: unknown[]): Tensor {
    const kernel = UNARY_KERNELS.get(kind);
    if (extra(rest) || kernel === undefined) return (super.unary as (...a: unknown[]) => Tensor).call(this, x, kind, ...rest);
    return this.withScratch(() => {
      const data = this.f32Of(x, `${kind} input`);
      const at = this.copyIn(data);
      this.rt.kernels.unary(kernel, at, at, data.length);
      return this.copyOut(x.shape, at);
    });
  }
}
