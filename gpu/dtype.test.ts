import { describe, expect, it } from 'vitest';
import { getFloat16 } from '@petamoriken/float16';
import { bf16ToFloat32, f16ToFloat32, toFloat32 } from './dtype.ts';

/** The float32 bit pattern of x. */
function bitsOf(x: Float32Array, i: number): number {
  return new Uint32Array(x.buffer, x.byteOffset, x.length)[i];
}

describe('F16 → F32', () => {
  it('matches @petamoriken/float16 on all 65536 bit patterns', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const out = f16ToFloat32(all);
    const view = new DataView(all.buffer);
    const mismatches: string[] = [];
    for (let h = 0; h < 65536; h++) {
      const expected = getFloat16(view, h * 2, true);
      const same = Number.isNaN(expected) ? Number.isNaN(out[h]) : Object.is(out[h], expected);
      if (!same) mismatches.push(`0x${h.toString(16)}: ${out[h]} vs ${expected}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('converts specials exactly', () => {
    const bits = new Uint16Array([0x0000, 0x8000, 0x0001, 0x8001, 0x03ff, 0x0400, 0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e00, 0x3c00, 0x3555]);
    const w = toFloat32({ name: 't', dtype: 'F16', shape: [bits.length], data: bits });
    expect(Object.is(w[0], 0)).toBe(true);
    expect(Object.is(w[1], -0)).toBe(true);
    expect(w[2]).toBe(2 ** -24); // smallest subnormal
    expect(w[3]).toBe(-(2 ** -24));
    expect(w[4]).toBe(1023 * 2 ** -24); // largest subnormal
    expect(w[5]).toBe(2 ** -14); // smallest normal
    expect(w[6]).toBe(65504); // max
    expect(w[7]).toBe(-65504);
    expect(w[8]).toBe(Infinity);
    expect(w[9]).toBe(-Infinity);
    expect(Number.isNaN(w[10])).toBe(true);
    expect(bitsOf(w, 10)).toBe(0x7fc00000); // quiet NaN, payload kept
    expect(w[11]).toBe(1);
    expect(w[12]).toBe(0.333251953125);
  });
});

describe('BF16 → F32', () => {
  it('converts specials exactly (bits << 16)', () => {
    const bits = new Uint16Array([0x0000, 0x8000, 0x0001, 0x007f, 0x0080, 0x7f7f, 0xff7f, 0x7f80, 0xff80, 0x7fc1, 0x3f80, 0xc040]);
    const w = toFloat32({ name: 't', dtype: 'BF16', shape: [bits.length], data: bits });
    expect(Object.is(w[0], 0)).toBe(true);
    expect(Object.is(w[1], -0)).toBe(true);
    expect(w[2]).toBe(2 ** -133); // smallest subnormal
    expect(w[3]).toBe(127 * 2 ** -133); // largest subnormal
    expect(w[4]).toBe(2 ** -126); // smallest normal
    expect(w[5]).toBe(255 * 2 ** 120); // max = (2 − 2⁻⁷)·2¹²⁷
    expect(w[6]).toBe(-255 * 2 ** 120);
    expect(w[7]).toBe(Infinity);
    expect(w[8]).toBe(-Infinity);
    expect(Number.isNaN(w[9])).toBe(true);
    expect(bitsOf(w, 9)).toBe(0x7fc10000); // NaN payload kept
    expect(w[10]).toBe(1);
    expect(w[11]).toBe(-3);
  });

  it('puts every pattern in the top half of the float32', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const out = bf16ToFloat32(all);
    const outBits = new Uint32Array(out.buffer);
    const mismatches = [...outBits].filter((b, h) => b !== (h << 16) >>> 0);
    expect(mismatches).toEqual([]);
  });
});

describe('toFloat32', () => {
  it('returns F32 data as is', () => {
    const data = new Float32Array([1, -2, 3.5]);
    expect(toFloat32({ name: 't', dtype: 'F32', shape: [3], data })).toBe(data);
  });

  it('rejects data that does not match the dtype', () => {
    expect(() => toFloat32({ name: 'w', dtype: 'F16', shape: [1], data: new Float32Array(1) })).toThrow(
      /weight w: dtype F16 but data is not a Uint16Array/,
    );
  });
});
