import { describe, expect, it } from 'vitest';
import type { HostWeight } from '../../gpu/backend.ts';
import { sliceRows, takeRows, transpose2d } from './host-weight-ops.ts';

const f32 = (shape: number[], values: number[]): HostWeight => ({ name: 'w', dtype: 'F32', shape, data: new Float32Array(values) });
const bf16 = (shape: number[], values: number[]): HostWeight => ({ name: 'w', dtype: 'BF16', shape, data: new Uint16Array(values) });

describe('host weight layout ops', () => {
  it('transposes F32 and raw 16-bit data, keeping the dtype', () => {
    const t = transpose2d(f32([2, 3], [1, 2, 3, 4, 5, 6]));
    expect(t.shape).toEqual([3, 2]);
    expect([...t.data]).toEqual([1, 4, 2, 5, 3, 6]);
    const h = transpose2d(bf16([2, 3], [0xffff, 2, 3, 4, 5, 0x8001]), 'x');
    expect(h.dtype).toBe('BF16');
    expect(h.data).toBeInstanceOf(Uint16Array);
    expect(h.name).toBe('x');
    expect([...h.data]).toEqual([0xffff, 4, 2, 5, 3, 0x8001]);
  });

  it('takes and slices rows of 2-D and 1-D weights', () => {
    const w = bf16([3, 2], [1, 2, 3, 4, 5, 6]);
    const t = takeRows(w, [2, 0], 'x');
    expect(t.shape).toEqual([2, 2]);
    expect([...t.data]).toEqual([5, 6, 1, 2]);
    expect(t.dtype).toBe('BF16');
    const s = sliceRows(f32([4], [1, 2, 3, 4]), 1, 3, 'b');
    expect(s.shape).toEqual([2]);
    expect([...s.data]).toEqual([2, 3]);
    expect(() => takeRows(w, [3], 'x')).toThrow('takeRows: row 3 is outside w [3, 2]');
  });
});
