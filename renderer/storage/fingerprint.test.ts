import { describe, expect, it } from 'vitest';
import { fingerprint } from './fingerprint.ts';

describe('fingerprint', () => {
  it('is the same for equal values, whatever the key order', async () => {
    const a = await fingerprint({ x: 1, y: [new Float32Array([1, 2]), 'a'] });
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(await fingerprint({ y: [new Float32Array([1, 2]), 'a'], x: 1 })).toBe(a);
  });

  it.each([
    ['a flipped bit in an array', { v: new Float32Array([1, 2]) }, { v: new Float32Array([1, 2.0000002]) }],
    ['another dtype with the same bytes', { v: new Uint8Array([1, 2, 3, 4]) }, { v: new Int8Array([1, 2, 3, 4]) }],
    ['-0 and 0', { v: -0 }, { v: 0 }],
    ['a number and a string', { v: 1 }, { v: '1' }],
    ['nesting', [[1], 2], [[1, 2]]],
    ['null and false', null, false],
  ])('tells apart %s', async (_name, a, b) => {
    expect(await fingerprint(a)).not.toBe(await fingerprint(b));
  });

  it('keeps NaN payloads apart', async () => {
    const a = new Float32Array([NaN]);
    const b = new Float32Array([NaN]);
    new Uint32Array(b.buffer)[0] = 0x7fc00001;
    expect(await fingerprint(a)).not.toBe(await fingerprint(b));
  });
});
