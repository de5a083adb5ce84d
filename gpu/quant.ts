/**
 * ggml block-quantised weight storage, decoded exactly as ggml's `dequantize_row_*` does.
 *
 * A block-quantised weight [rows, cols] keeps its raw ggml blocks: blocks of `blockValues`
 * values run along the last axis (ggml's ne[0]), `blockBytes` each, rows back to back, so
 * row r is bytes [r·rowBytes, (r+1)·rowBytes) and rows can be moved, sliced and decoded
 * independently. Each block starts with an IEEE half scale `d`; ggml multiplies in float32
 * (`y = d · q`), and so do we (the product of an f16 and a small integer is exact in float64,
 * so `Math.fround` of it is the float32 product).
 *
 * A further type is one more entry in `BLOCK_FORMATS`: its block size, its byte size and a
 * block decoder (and the same decoder in WGSL, gpu/webgpu/kernels/blocks.wgsl).
 */
import type { BlockDType } from './backend.ts';
import { f16BitsToF32Bits } from './dtype.ts';

export interface BlockFormat {
  readonly dtype: BlockDType;
  /** Values per block (along the last axis). */
  readonly blockValues: number;
  /** Bytes per block. */
  readonly blockBytes: number;
  /** Decodes the block at byte `at` of `bytes` into out[o .. o + blockValues). */
  decodeBlock(bytes: Uint8Array, at: number, out: Float32Array, o: number): void;
}

const halfBits = new Uint32Array(1);
const halfValue = new Float32Array(halfBits.buffer);

/** The little-endian f16 at byte `at`, as a float32 value (exact). */
export function readHalf(bytes: Uint8Array, at: number): number {
  halfBits[0] = f16BitsToF32Bits(bytes[at] | (bytes[at + 1] << 8));
  return halfValue[0];
}

/** Q8_0: f16 d, then int8 qs[32]; value i = d · qs[i]. */
const Q8_0: BlockFormat = {
  dtype: 'Q8_0',
  blockValues: 32,
  blockBytes: 34,
  decodeBlock(bytes, at, out, o) {
    const d = readHalf(bytes, at);
    for (let i = 0; i < 32; i++) out[o + i] = Math.fround(d * ((bytes[at + 2 + i] << 24) >> 24));
  },
};

/** Q4_0: f16 d, then 16 bytes; value j = d · ((qs[j] & 15) − 8), value j + 16 = d · ((qs[j] >> 4) − 8). */
const Q4_0: BlockFormat = {
  dtype: 'Q4_0',
  blockValues: 32,
  blockBytes: 18,
  decodeBlock(bytes, at, out, o) {
    const d = readHalf(bytes, at);
    for (let j = 0; j < 16; j++) {
      const q = bytes[at + 2 + j];
      out[o + j] = Math.fround(d * ((q & 0x0f) - 8));
      out[o + j + 16] = Math.fround(d * ((q >> 4) - 8));
    }
  },
};

export const BLOCK_FORMATS: ReadonlyMap<BlockDType, BlockFormat> = new Map([
  ['Q8_0', Q8_0],
  ['Q4_0', Q4_0],
]);

export function isBlockDType(dtype: string): dtype is BlockDType {
  return BLOCK_FORMATS.has(dtype as BlockDType);
}

export function blockFormat(dtype: BlockDType): BlockFormat {
  const format = BLOCK_FORMATS.get(dtype);
  if (format === undefined) throw new Error(`no block format for ${dtype}`);
  return format;
}

/** Bytes of one row of `cols` values; throws when cols is not a whole number of blocks. */
export function blockRowBytes(format: BlockFormat, cols: number, what: string): number {
  if (cols % format.blockValues !== 0) {
    throw new Error(`${what}: a ${format.dtype} row of ${cols} values is not a whole number of ${format.blockValues}-value blocks`);
  }
  return (cols / format.blockValues) * format.blockBytes;
}

/** Decodes `count` values starting at block-aligned byte `at` into out[o ..]. */
export function decodeBlocks(format: BlockFormat, bytes: Uint8Array, at: number, count: number, out: Float32Array, o = 0): void {
  const blocks = count / format.blockValues;
  for (let b = 0; b < blocks; b++) format.decodeBlock(bytes, at + b * format.blockBytes, out, o + b * format.blockValues);
}

/** The whole tensor decoded (tests, host-side methods); kernels decode row by row instead. */
export function dequantize(format: BlockFormat, bytes: Uint8Array, count: number): Float32Array {
  if (bytes.length * format.blockValues !== count * format.blockBytes) {
    throw new Error(`${format.dtype}: ${bytes.length} bytes do not hold ${count} values`);
  }
  const out = new Float32Array(count);
  decodeBlocks(format, bytes, 0, count, out);
  return out;
}

// --- llama.cpp's activation rounding (parity mode) ---------------------------------------------

/**
 * Rounds one row of activations the way ggml's CPU matmul does before a Q8_0/Q4_0 dot product
 * (quantize_row_q8_0, AVX2 path): per 32 values, amax = max|x|, d = fp16(amax / 127),
 * q = round-half-even(x · (127 / amax)) in float32; the values seen by the dot product are
 * d · q. Writes them to out (may alias x).
 */
export function roundRowToQ8_0(x: Float32Array, out: Float32Array, at: number, count: number): void {
  for (let b = 0; b < count; b += 32) {
    let amax = 0;
    for (let i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(x[at + b + i]));
    const d = roundToHalf(Math.fround(amax / 127));
    const id = amax !== 0 ? Math.fround(127 / amax) : 0;
    for (let i = 0; i < 32; i++) {
      const q = roundHalfEven(Math.fround(x[at + b + i] * id));
      out[at + b + i] = Math.fround(d * q);
    }
  }
}

function roundHalfEven(v: number): number {
  const r = Math.round(v);
  // Math.round rounds .5 up; ties go to the even neighbour instead.
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** float32 → nearest IEEE half (ties to even), returned as a float32 value (ggml's FP32_TO_FP16 with F16C). */
export function roundToHalf(v: number): number {
  f32Scratch[0] = v;
  const bits = u32Scratch[0];
  const sign = bits & 0x80000000;
  const exp = (bits >>> 23) & 0xff;
  if (exp === 0xff) return v; // ±∞, NaN
  const abs = Math.abs(f32Scratch[0]);
  if (abs >= 65520) return sign ? -Infinity : Infinity; // past the largest half after rounding
  // Quantum of the half grid at this magnitude: 2^(e−10) for normals (e from the float32
  // exponent field), 2^−24 for subnormals.
  const quantum = 2 ** (Math.max(exp - 127, -14) - 10);
  const scaled = abs / quantum; // exact: quantum is a power of two
  const rounded = roundHalfEven(scaled) * quantum;
  return sign ? -rounded : rounded;
}
