/**
 * Exact conversion of stored weight dtypes to float32. F16 → f32 and BF16 → f32 are exact
 * (every 16-bit value is representable), so there is no rounding to get wrong here.
 */
import { getFloat16 } from '@petamoriken/float16';
import type { HostWeight } from './backend.ts';

export function bf16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = bits[i] << 16;
  return new Float32Array(out.buffer);
}

export function f16ToFloat32(bits: Uint16Array): Float32Array {
  const view = new DataView(bits.buffer, bits.byteOffset, bits.byteLength);
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = getFloat16(view, i * 2, true);
  return out;
}

export function toFloat32(weight: HostWeight): Float32Array {
  const { dtype, data, name } = weight;
  if (dtype === 'F32') {
    if (!(data instanceof Float32Array)) throw new Error(`weight ${name}: F32 data must be a Float32Array`);
    return data;
  }
  if (!(data instanceof Uint16Array)) throw new Error(`weight ${name}: ${dtype} data must be raw 16-bit patterns`);
  return dtype === 'BF16' ? bf16ToFloat32(data) : f16ToFloat32(data);
}
