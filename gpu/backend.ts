/**
 * The compute backend interface. `analysis/` talks to compute only through this.
 *
 * Axis vocabulary (whole codebase): batch, pos, kvPos, dModel, head, kvHead, dHead, neuron, vocab.
 * Every tensor is row-major f32 as far as the caller can see; a backend may store weights
 * more compactly (F16/BF16) but must compute with f32 accumulation.
 *
 * Ownership: every op returns a fresh tensor; inputs are never modified. A tensor lives until
 * `dispose`. Reads are asynchronous so a GPU backend can batch them through one staging path.
 */

export type WeightDType = 'F32' | 'F16' | 'BF16';

/**
 * ggml block-quantised weights (GGUF): raw blocks along the last axis, decoded inside the
 * kernels exactly as ggml does (gpu/quant.ts has the layouts). Matrices only.
 */
export type BlockDType = 'Q8_0' | 'Q4_0';

/** A handle to data owned by a backend. Opaque to callers except for its shape. */
export interface Tensor {
  readonly shape: readonly number[];
  /** The backend that owns it, so a mixed-up tensor fails loudly instead of reading garbage. */
  readonly owner: Backend;
}

/** A weight as read from disk: raw little-endian storage of the stated dtype. */
export interface HostWeight {
  readonly name: string;
  readonly dtype: WeightDType | BlockDType;
  readonly shape: readonly number[];
  /** F32: Float32Array; F16/BF16: the raw 16-bit patterns; Q8_0/Q4_0: the raw ggml blocks. */
  readonly data: Float32Array | Uint16Array | Uint8Array;
}

export type UnaryKind = 'gelu_tanh' | 'gelu_erf' | 'silu' | 'relu' | 'neg' | 'exp' | 'tanh';

/**
 * Rotary frequencies given explicitly (RoPE scaling: llama3, linear, longrope), overriding
 * theta^(−2j/rotaryDims). `invFreq` has rotaryDims/2 entries (f32); cos and sin are multiplied
 * by `amplitude` (longrope's attention factor; 1 when absent).
 */
export interface RopeFrequencies {
  readonly invFreq: Float32Array;
  readonly amplitude?: number;
}

export interface AttentionMask {
  /**
   * Query i (0-based within this call) sits at key index `queryOffset + i`; it sees keys
   * 0..queryOffset+i (causal). queryOffset > 0 when earlier positions come from a KV cache.
   */
  readonly queryOffset: number;
  /** [batch, kvPos] 1 = real token, 0 = padding (never attended). Omitted: all real. */
  readonly keyValid?: Uint8Array;
  /**
   * Sliding window: query at key index a sees key j only if j > a − window (itself and the
   * window − 1 keys before it), on top of the causal rule. Omitted: no window.
   */
  readonly window?: number;
}

/** A LayerNorm (center) or RMSNorm with its gain (and LayerNorm bias), as `linearFused` applies it. */
export interface RowNorm {
  readonly center: boolean;
  readonly eps: number;
  readonly weight: Tensor; // [in]
  readonly bias?: Tensor; // [in]
}

/** What `linearFused` does around x·wᵀ, in this order; every part optional. */
export interface LinearFusion {
  /** x ← normalize(x, normScale(x)) · weight (+ bias) first: the model's pre-norm. */
  readonly norm?: RowNorm;
  /** + bias [out]. */
  readonly bias?: Tensor;
  /** Then the activation (as `unary`). */
  readonly activation?: UnaryKind;
  /** Then × multiply [..., out] (a gated MLP's act(gate)). */
  readonly multiply?: Tensor;
  /** Then + residual [..., out] (the residual stream). Not together with `multiply`. */
  readonly residual?: Tensor;
}

export interface BackendInfo {
  /** cpu: the float64 reference; wasm: the fast CPU backend (WebAssembly SIMD); webgpu. */
  readonly name: 'cpu' | 'wasm' | 'webgpu';
  /** Human-readable adapter/device description, e.g. "SwiftShader (Google)" or "CPU (JavaScript)". */
  readonly adapter: string;
  /**
   * Optional GPU capabilities the adapter offers (`shader-f16`, `subgroups`, `timestamp-query`),
   * detected and reported. The kernels compute in f32 on every adapter, so results do not
   * depend on them.
   */
  readonly features?: readonly string[];
}

export interface Backend {
  readonly info: BackendInfo;

  // --- data movement -------------------------------------------------------------------
  /** Copies host data onto the backend. data.length must equal the product of shape. */
  upload(data: Float32Array, shape: readonly number[]): Tensor;
  /** Uploads a weight, converting or keeping F16/BF16 storage as the backend prefers. */
  uploadWeight(weight: HostWeight): Tensor;
  /** Reads tensors back together (one staging path on GPUs). */
  read(tensors: readonly Tensor[]): Promise<Float32Array[]>;
  dispose(tensor: Tensor): void;
  /** Waits for queued work (a no-op on the CPU). */
  sync(): Promise<void>;

  // --- shape ---------------------------------------------------------------------------
  /** Same data, new shape with the same element count. May share storage (never mutated). */
  reshape(x: Tensor, shape: readonly number[]): Tensor;
  /** x[..., start:end, ...] along `axis`. */
  slice(x: Tensor, axis: number, start: number, end: number): Tensor;
  /** Concatenates along `axis`; all other axes equal. */
  concat(tensors: readonly Tensor[], axis: number): Tensor;
  /** Broadcasts axes of size 1 up to `shape` (same rank). */
  expand(x: Tensor, shape: readonly number[]): Tensor;
  /** Moves axes: out.shape[i] = x.shape[perm[i]]. */
  permute(x: Tensor, perm: readonly number[]): Tensor;

  // --- elementwise ---------------------------------------------------------------------
  /**
   * Binary ops. `b.shape` equals `a.shape`, or is a suffix of it (broadcast over leading
   * axes, e.g. a bias [d] on [batch, pos, d]), or equals a.shape with the last axis 1
   * (broadcast along the last axis, e.g. a per-row scale [.., 1]).
   */
  add(a: Tensor, b: Tensor): Tensor;
  sub(a: Tensor, b: Tensor): Tensor;
  mul(a: Tensor, b: Tensor): Tensor;
  div(a: Tensor, b: Tensor): Tensor;
  scale(x: Tensor, factor: number): Tensor;
  unary(x: Tensor, kind: UnaryKind): Tensor;
  /**
   * Elementwise derivative of `unary`: out = f'(x) for f = kind (the backward pass's act'(z)).
   * gelu_tanh: 0.5(1+t) + 0.5·x(1−t²)·√(2/π)(1 + 3·0.044715x²), t = tanh(√(2/π)(x + 0.044715x³));
   * gelu_erf: Φ(x) + x·φ(x); silu: σ(x)(1 + x(1 − σ(x))); relu: 1 for x > 0, else 0 (also at 0,
   * as torch); neg: −1; exp: exp(x); tanh: 1 − tanh²(x).
   */
  unaryGrad(x: Tensor, kind: UnaryKind): Tensor;
  /** out = mask != 0 ? a : b, elementwise, all three the same shape. Bit-exact selection. */
  select(mask: Tensor, a: Tensor, b: Tensor): Tensor;
  /** A tensor of `shape` filled with `value` (may be -Infinity). */
  fill(shape: readonly number[], value: number): Tensor;

  // --- reductions ----------------------------------------------------------------------
  /** Mean over `axis`, keeping it with size 1. Accurate (pairwise or f64) accumulation. */
  mean(x: Tensor, axis: number): Tensor;
  /** Sum over `axis`, keeping it with size 1. */
  sum(x: Tensor, axis: number): Tensor;
  /**
   * Keeps the k largest entries of each row (the last axis) and sets all others to 0; same shape.
   * Ties at rank k: the lower index wins (deterministic). k ≥ the row length keeps everything.
   * (Top-k sparse autoencoders.)
   */
  keepTopK(x: Tensor, k: number): Tensor;

  // --- model ops -----------------------------------------------------------------------
  /** rows of table [vocab, d] at ids → [ids.length, d]. Out-of-range ids throw. */
  gather(table: Tensor, ids: Int32Array): Tensor;
  /** x [..., in] · wᵀ with w [out, in] (+ bias [out]) → [..., out]. */
  linear(x: Tensor, w: Tensor, bias?: Tensor): Tensor;
  /**
   * x [..., out] · w with w [out, in] (a weight, as for `linear`) → [..., in]: the input gradient
   * of `linear` (no transpose of w is materialised; w may be in compact weight storage).
   */
  linearTransposed(x: Tensor, w: Tensor): Tensor;
  /** x [m, k] · y [k, n] → [m, n]; batched over a leading axis when both are rank 3. */
  matmul(x: Tensor, y: Tensor): Tensor;
  /**
   * Norm divisor over the last axis, [.., 1]: LayerNorm (center) sqrt(var + eps),
   * RMSNorm sqrt(mean(x²) + eps).
   */
  normScale(x: Tensor, center: boolean, eps: number): Tensor;
  /** (x − mean(x) if center) / scale, with scale [.., 1]. */
  normalize(x: Tensor, scale: Tensor, center: boolean): Tensor;
  /**
   * Rotary embedding, rotate_half convention, on the first `rotaryDims` dims of the last axis
   * of x [batch, pos, head, dHead]; positions [batch·pos] give each token's position id.
   * inv_freq_j = theta^(−2j/rotaryDims); the remaining dims pass through.
   * Positions may be negative: the angle is position·inv_freq with inv_freq rounded to f32 first
   * (as the references do), so rope(rope(x, p), −p) = x up to rounding — the inverse rotation,
   * which is the backward pass's vector-Jacobian product (keep positions signed in kernels).
   */
  rope(x: Tensor, positions: Int32Array, rotaryDims: number, theta: number, freqs?: RopeFrequencies): Tensor;
  /**
   * Scaled dot-product scores, q [batch, pos, head, dHead], k [batch, kvPos, kvHead, dHead]
   * → [batch, head, pos, kvPos]; query head h reads kv head floor(h / (head / kvHead)).
   * Masked entries (causal, window or padding) are −Infinity. With `softcap` c (Gemma-2) each
   * score s = q·k·scale becomes c·tanh(s/c) before the mask.
   */
  attentionScores(q: Tensor, k: Tensor, scale: number, mask: AttentionMask, softcap?: number): Tensor;
  /** Softmax over the last axis with max subtraction; rows that are all −∞ give all 0. */
  softmax(x: Tensor): Tensor;
  /** pattern [batch, head, pos, kvPos] · v [batch, kvPos, kvHead, dHead] → z [batch, pos, head, dHead]. */
  attentionMix(pattern: Tensor, v: Tensor): Tensor;
  /** Per-head output z [batch, pos, head, dHead] with wO [dModel, head·dHead] → [batch, pos, head, dModel]. */
  headResult(z: Tensor, wO: Tensor): Tensor;

  // --- optional fused ops (a backend without them runs the primitive ops above) -----------
  /**
   * linear with a norm before it and bias, activation and residual add or multiply after it
   * (`LinearFusion`), in one kernel where the backend can. Equals the primitive ops in the
   * stated order up to f32 rounding. The forward pass uses it only where no hook needs the
   * intermediates.
   */
  linearFused?(x: Tensor, w: Tensor, fusion: LinearFusion): Tensor;
  /**
   * [..., n] → [..., 1]: log Σ exp over the last axis, max subtracted (−∞ for a row of −∞).
   * Optional: `run()` uses it for the loss where it exists (the host computes it otherwise).
   */
  logSumExp?(x: Tensor): Tensor;
  /**
   * attentionMix(softmax(attentionScores(q, k, scale, mask, softcap)), v) → z [batch, pos, head, dHead]
   * without materialising scores or pattern (used only when no hook needs them).
   */
  attention?(q: Tensor, k: Tensor, v: Tensor, scale: number, mask: AttentionMask, softcap?: number): Tensor;
  /**
   * Marks the end of a unit of work (a transformer block): a GPU backend may submit what is
   * queued so the device starts on it, and time it. No effect on results.
   */
  stage?(label: string): void;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
