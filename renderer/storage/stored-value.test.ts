import { describe, expect, it } from 'vitest';
import { dtypeOf, MAX_DEPTH, prepareStoredValue, StoredValueError } from './stored-value.ts';

describe('prepareStoredValue', () => {
  it('passes JSON data and supported typed arrays through', () => {
    const f = new Float32Array([1, NaN]);
    const value = { a: [1, 'x', true, null, { b: f }], n: -0, u: new Uint16Array(2) };
    const out = prepareStoredValue(value, 'result') as typeof value;
    expect(out).toEqual(value);
    expect(out.a[4]).not.toBe(value.a[4]); // a fresh tree
    expect((out.a[4] as { b: Float32Array }).b).toBe(f); // owned arrays are not copied
  });

  it('drops undefined fields like JSON does', () => {
    expect(prepareStoredValue({ a: 1, b: undefined }, 'x')).toEqual({ a: 1 });
  });

  it('copies views so only their own bytes are stored', () => {
    const big = new Float64Array(100);
    const view = big.subarray(2, 4);
    const out = prepareStoredValue({ v: view }, 'x') as { v: Float64Array };
    expect(out.v.buffer.byteLength).toBe(16);
  });

  it.each([
    ['a function', { f: () => 1 }, /x: f is a function/],
    ['a Date', { when: new Date(0) }, /x: when is a Date/],
    ['a Map', [new Map()], /x: \[0\] is a Map/],
    ['a class instance', { e: new Error('e') }, /x: e is a Error/],
    ['a bigint', { n: 1n }, /x: n is a bigint/],
    ['a DataView', { d: new DataView(new ArrayBuffer(4)) }, /x: d is a DataView; supported typed arrays/],
    ['a clamped array', { d: new Uint8ClampedArray(1) }, /Uint8ClampedArray/],
    ['a reserved key', { $bin: 'arrays/0.bin' }, /x: \$bin: the key "\$bin" is reserved/],
    ['__proto__ as own key', JSON.parse('{"a":{"__proto__":{}}}'), /x: a.__proto__: the key "__proto__" is not allowed/],
    ['constructor key', { constructor: 1 }, /the key "constructor" is not allowed/],
  ])('rejects %s, naming the path', (_name, value, message) => {
    expect(() => prepareStoredValue(value, 'x')).toThrow(StoredValueError);
    expect(() => prepareStoredValue(value, 'x')).toThrow(message);
  });

  it('rejects cycles but allows shared subtrees', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => prepareStoredValue(cyclic, 'x')).toThrow(/x: self refers back to itself/);
    const shared = { s: 1 };
    expect(prepareStoredValue({ a: shared, b: shared }, 'x')).toEqual({ a: { s: 1 }, b: { s: 1 } });
  });

  it('bounds nesting depth', () => {
    let deep: unknown = 1;
    for (let i = 0; i < MAX_DEPTH + 2; i++) deep = [deep];
    expect(() => prepareStoredValue(deep, 'x')).toThrow(/nested deeper than 64 levels/);
  });

  it('knows the dtype of each supported array', () => {
    expect(dtypeOf(new Float32Array(1))).toBe('float32');
    expect(dtypeOf(new Int8Array(1))).toBe('int8');
    expect(dtypeOf(Buffer.alloc(1))).toBeNull(); // a Uint8Array subclass: stored only as a real Uint8Array
    expect(dtypeOf([1])).toBeNull();
  });
});
