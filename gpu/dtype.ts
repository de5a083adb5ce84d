import type { HostWeight } from './backend.ts';
import { numel } from './backend.ts';
import { blockFormat, dequantize } from './quant.ts';

/**
 * Exact widening of 16-bit floats to float32. Every F16 and BF16 value is exactly representable
 * in float32, so this is pure bit manipulation: no rounding, and NaN payloads and signed zeros
 * survive (the goldens upcast the same way).
 */

let f16Table: Uint32Array | null = null;

/** float32 bit pattern for every F16 bit pattern (256 KiB, built on first use). */
function f16ToF32Table(): Uint32Array {
  if (f16Table !== null) return f16Table;
  const table = new Uint32Array(65536);
  for (let h = 0; h < 65536; h++) table[h] = f16BitsToF32Bits(h);
  f16Table = table;
  return table;
}

/** IEEE binary16 → binary32 bit pattern. */
export function f16BitsToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exponent = (h >> 10) & 0x1f;
  let mantissa = h & 0x3ff;
  if (exponent === 0x1f) {
    // Infinity (mantissa 0) or NaN: keep the payload in the top mantissa bits.
    return (sign | 0x7f800000 | (mantissa << 13)) >>> 0;
  }
  if (exponent !== 0) {
    // Normal: rebias the exponent from 15 to 127.
    return (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0;
  }
  if (mantissa === 0) return sign >>> 0; // ±0
  // Subnormal m·2⁻²⁴ is a normal float32: shift the leading 1 up to the implicit-bit position.
  let e = 1;
  while ((mantissa & 0x400) === 0) {
    mantissa <<= 1;
    e--;
  }
  mantissa &= 0x3ff;
  return (sign | ((e + 112) << 23) | (mantissa << 13)) >>> 0;
}

/** Widens raw F16 bit patterns to float32 values, exactly. */
export function f16ToFloat32(bits: Uint16Array): Float32Array {
  const table = f16ToF32Table();
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  return new Float32Array(out.buffer);
}

/** Widens raw BF16 bit patterns to float32 values: BF16 is the top half of a float32. */
export function bf16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = bits[i] << 16;
  return new Float32Array(out.buffer);
}

/**
 * The weight's values as float32. F32 weights are returned as they are (not copied: treat the
 * result as read-only); F16/BF16 are widened and Q8_0/Q4_0 blocks decoded exactly into a fresh
 * array.
 */
export function toFloat32(w: HostWeight): Float32Array {
  switch (w.dtype) {
    case 'F32':
      if (!(w.data instanceof Float32Array)) throw new TypeError(`weight ${w.name}: dtype F32 but data is not a Float32Array`);
      return w.data;
    case 'F16':
    case 'BF16':
      if (!(w.data instanceof Uint16Array)) throw new TypeError(`weight ${w.name}: dtype ${w.dtype} but data is not a Uint16Array`);
      return w.dtype === 'F16' ? f16ToFloat32(w.data) : bf16ToFloat32(w.data);
    case 'Q8_0':
    case 'Q4_0':
      if (!(w.data instanceof Uint8Array)) throw new TypeError(`weight ${w.name}: dtype ${w.dtype} but data is not a Uint8Array of blocks`);
      return dequantize(blockFormat(w.dtype), w.data, numel(w.shape));
  }
}

/**
 * Decodes `count` 16-bit values starting at `start` into `out` (from index 0), exactly. For
 * kernels that read F16/BF16 weights row by row without keeping a float32 copy.
 */
export function decodeHalfInto(dtype: 'F16' | 'BF16', bits: Uint16Array, start: number, count: number, out: Float32Array): void {
  const dst = new Uint32Array(out.buffer, out.byteOffset, count);
  if (dtype === 'BF16') {
    for (let i = 0; i < count; i++) dst[i] = bits[start + i] << 16;
  } else {
    const table = f16ToF32Table();
    for (let i = 0; i < count; i++) dst[i] = table[bits[start + i]];
  }
}
