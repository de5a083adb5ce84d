import { describe, expect, it } from 'vitest';
import { transferablesOf } from './transfer.ts';

describe('transferablesOf', () => {
  it('finds whole-buffer typed arrays once, skips views into larger buffers', () => {
    const a = new Float32Array(4);
    const shared = new Float32Array(8);
    const view = shared.subarray(2, 4);
    const found = transferablesOf({ a, nested: [{ a }, { view }], n: 3, s: 'x' });
    expect(found).toEqual([a.buffer]);
  });
});
