import { describe, expect, it } from 'vitest';
import { bf16ToFloat32, f16ToFloat32 } from './dtype.ts';

describe('dtype conversion', () => {
  it('converts F16 specials exactly', () => {
    const bits = Uint16Array.from([0x0000, 0x8000, 0x0001, 0x03ff, 0x3c00, 0xc000, 0x7bff, 0x7c00, 0xfc00]);
    const f = f16ToFloat32(bits);
    expect(Array.from(f)).toEqual([0, -0, 2 ** -24, 1023 * 2 ** -24, 1, -2, 65504, Infinity, -Infinity]);
    expect(Object.is(f[1], -0)).toBe(true);
    expect(Number.isNaN(f16ToFloat32(Uint16Array.from([0x7e00]))[0])).toBe(true);
  });
  it('converts BF16 by shifting into the high half', () => {
    const f = bf16ToFloat32(Uint16Array.from([0x3f80, 0xc040, 0x0001, 0x7f80]));
    expect(Array.from(f)).toEqual([1, -3, 2 ** -133, Infinity]);
  });
});
