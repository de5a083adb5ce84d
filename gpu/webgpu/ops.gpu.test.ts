/**
 * Every non-matmul op against the CPU reference on random inputs with odd sizes (never multiples
 * of workgroup or tile sizes). Tolerance |gpu − cpu| ≤ 1e-5 + 1e-5·|cpu| unless stated.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { UnaryKind } from '../backend.ts';
import type { WebGpuBackend } from './index.ts';
import { cpu, expectMatch, pair, pairWeight, randomData, rng, sharedGpu, TIGHT } from './testing.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await sharedGpu();
});

const bitsOf = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('data movement', () => {
  it('round-trips uploads and reads several tensors together', async () => {
    const a = randomData(3 * 37, 1);
    const b = randomData(5, 2);
    const [ra, rb] = await gpu.read([gpu.upload(a, [3, 37]), gpu.upload(b, [5])]);
    expect(bitsOf(ra)).toEqual(bitsOf(a));
    expect(bitsOf(rb)).toEqual(bitsOf(b));
  });

  it('keeps F16/BF16 matrices compact and decodes them exactly; vectors become f32', async () => {
    const next = rng(3);
    for (const dtype of ['F16', 'BF16'] as const) {
      // Random bit patterns minus NaN/inf (any finite 16-bit float, subnormals included).
      const bits = (n: number) =>
        Uint16Array.from({ length: n }, () => {
          const h = Math.floor(next() * 65536);
          const exponentMask = dtype === 'F16' ? 0x7c00 : 0x7f80;
          return (h & exponentMask) === exponentMask ? h & ~0x4000 : h;
        });
      for (const shape of [[7, 13], [29]]) {
        const weight = { name: `w.${dtype}`, dtype, shape, data: bits(shape.reduce((p, s) => p * s, 1)) };
        const [g, c] = pairWeight(gpu, weight);
        const [got] = await gpu.read([g]);
        const [want] = await cpu.read([c]);
        expect(bitsOf(got), `${dtype} ${shape}`).toEqual(bitsOf(want));
      }
    }
  });

  it('reshape shares storage and survives disposing the original', async () => {
    const data = randomData(6 * 5, 4);
    const x = gpu.upload(data, [6, 5]);
    const y = gpu.reshape(x, [3, 10]);
    gpu.dispose(x);
    gpu.dispose(x); // disposing twice is harmless, as on the CPU
    expect(y.shape).toEqual([3, 10]);
    const [got] = await gpu.read([y]);
    expect(bitsOf(got)).toEqual(bitsOf(data));
    await expect(gpu.read([x])).rejects.toThrow(/disposed/);
  });
});

describe('shape ops', () => {
  const shape = [3, 5, 7, 9];
  const data = randomData(3 * 5 * 7 * 9, 5);

  it.each([
    [0, 1, 3],
    [1, 0, 5],
    [2, 2, 6],
    [3, 4, 9],
  ])('slice axis %i [%i, %i)', async (axis, start, end) => {
    const [g, c] = pair(gpu, data, shape);
    await expectMatch(gpu, gpu.slice(g, axis, start, end), cpu.slice(c, axis, start, end), { abs: 0, rel: 0 }, 'slice');
  });

  it.each([0, 1, 3])('concat along axis %i', async (axis) => {
    const parts = [1, 4, 2].map((n, i) => {
      const s = shape.map((v, d) => (d === axis ? n : v));
      return pair(gpu, randomData(s.reduce((p, v) => p * v, 1), 10 + i), s);
    });
    await expectMatch(
      gpu,
      gpu.concat(parts.map((p) => p[0]), axis),
      cpu.concat(parts.map((p) => p[1]), axis),
      { abs: 0, rel: 0 },
      'concat',
    );
  });

  it('expand broadcasts axes of size 1', async () => {
    const [g, c] = pair(gpu, randomData(3 * 7, 6), [3, 1, 7, 1]);
    await expectMatch(gpu, gpu.expand(g, [3, 5, 7, 9]), cpu.expand(c, [3, 5, 7, 9]), { abs: 0, rel: 0 }, 'expand');
  });

  it.each([
    [[0, 2, 1, 3]],
    [[3, 2, 1, 0]],
    [[1, 0, 3, 2]],
  ])('permute %j', async (perm) => {
    const [g, c] = pair(gpu, data, shape);
    await expectMatch(gpu, gpu.permute(g, perm), cpu.permute(c, perm), { abs: 0, rel: 0 }, 'permute');
  });

  it('names bad arguments', () => {
    const x = gpu.upload(data, shape);
    expect(() => gpu.slice(x, 1, 2, 9)).toThrow(/out of range/);
    expect(() => gpu.permute(x, [0, 0, 1, 2])).toThrow(/permutation/);
    expect(() => gpu.expand(x, [3, 5, 7])).toThrow(/cannot expand/);
  });
});

describe('elementwise', () => {
  const shape = [2, 9, 37];
  const n = 2 * 9 * 37;
  const cases: [string, number[]][] = [
    ['same shape', shape],
    ['suffix (bias)', [37]],
    ['suffix (two axes)', [9, 37]],
    ['last axis 1 (per-row scale)', [2, 9, 1]],
  ];
  for (const op of ['add', 'sub', 'mul', 'div'] as const) {
    it.each(cases)(`${op}: %s`, async (_, bShape) => {
      const [ag, ac] = pair(gpu, randomData(n, 7, 3), shape);
      // div: keep b away from 0 so the comparison is about the kernel, not cancellation.
      const raw = randomData(bShape.reduce((p, s) => p * s, 1), 8, 2);
      const [bg, bc] = pair(gpu, op === 'div' ? raw.map((v) => v + Math.sign(v) + (v === 0 ? 1 : 0)) : raw, bShape);
      await expectMatch(gpu, gpu[op](ag, bg), cpu[op](ac, bc), TIGHT, `${op} ${bShape}`);
    });
  }

  it('rejects other broadcasts', () => {
    const a = gpu.upload(randomData(n, 1), shape);
    expect(() => gpu.add(a, gpu.upload(randomData(9, 2), [9]))).toThrow(/cannot broadcast/);
  });

  it('scale', async () => {
    const [g, c] = pair(gpu, randomData(n, 9, 4), shape);
    await expectMatch(gpu, gpu.scale(g, -0.37), cpu.scale(c, -0.37), TIGHT, 'scale');
  });

  const kinds: UnaryKind[] = ['gelu_tanh', 'gelu_erf', 'silu', 'relu', 'neg', 'exp'];
  const inputs = Float32Array.from([...randomData(1001, 11, 6), 0, -0, 1e-7, -1e-7, 3.9, 4.1, -4.1, 9, -9, 30, -30]);
  it.each(kinds)('unary %s', async (kind) => {
    const x = kind === 'exp' ? inputs.filter((v) => Math.abs(v) < 10) : inputs;
    const [g, c] = pair(gpu, x, [x.length]);
    await expectMatch(gpu, gpu.unary(g, kind), cpu.unary(c, kind), TIGHT, kind);
  });

  it.each(kinds)('unaryGrad %s', async (kind) => {
    const x = kind === 'exp' ? inputs.filter((v) => Math.abs(v) < 10) : inputs;
    const [g, c] = pair(gpu, x, [x.length]);
    await expectMatch(gpu, gpu.unaryGrad(g, kind), cpu.unaryGrad(c, kind), TIGHT, `${kind}'`);
  });

  it('select is bit-exact (−0, ±inf, NaN payloads; NaN masks select a)', async () => {
    const specials = [0, -0, Infinity, -Infinity, NaN, 1.5, -2.25, 1e-40];
    const len = 67;
    const next = rng(12);
    const pick = () => specials[Math.floor(next() * specials.length)];
    const mask = Float32Array.from({ length: len }, pick);
    const a = Float32Array.from({ length: len }, pick);
    const b = randomData(len, 13);
    new Uint32Array(a.buffer)[3] = 0x7fc01234; // a NaN with a payload
    const [mg, mc] = pair(gpu, mask, [len]);
    const [ag, ac] = pair(gpu, a, [len]);
    const [bg, bc] = pair(gpu, b, [len]);
    const [got] = await gpu.read([gpu.select(mg, ag, bg)]);
    const [want] = await cpu.read([cpu.select(mc, ac, bc)]);
    expect(bitsOf(got)).toEqual(bitsOf(want));
  });

  it.each([-Infinity, Infinity, -0, 3.25, 1e-42])('fill %d is bit-exact', async (value) => {
    const [got] = await gpu.read([gpu.fill([3, 67], value)]);
    const [want] = await cpu.read([cpu.fill([3, 67], value)]);
    expect(bitsOf(got)).toEqual(bitsOf(want));
  });
});

describe('reductions', () => {
  const shape = [3, 41, 5];
  const data = randomData(3 * 41 * 5, 14, 10);
  for (const op of ['sum', 'mean'] as const) {
    it.each([0, 1, 2])(`${op} over axis %i`, async (axis) => {
      const [g, c] = pair(gpu, data, shape);
      await expectMatch(gpu, gpu[op](g, axis), cpu[op](c, axis), TIGHT, `${op} ${axis}`);
    });
  }

  it('stays accurate over long rows and long columns (pairwise + compensated)', async () => {
    // Values of mixed magnitude whose exact sum is small relative to the terms.
    const rows = 5000;
    const next = rng(15);
    const x = Float32Array.from({ length: 2 * rows }, () => (next() < 0.5 ? 1e4 : 1) * (2 * next() - 1));
    for (const [shape, axis] of [
      [[2, rows], 1],
      [[rows, 2], 0],
    ] as const) {
      const [g, c] = pair(gpu, x, shape);
      await expectMatch(gpu, gpu.sum(g, axis), cpu.sum(c, axis), TIGHT, `sum ${shape}`);
      await expectMatch(gpu, gpu.mean(g, axis), cpu.mean(c, axis), TIGHT, `mean ${shape}`);
    }
  });
});

describe('norms', () => {
  it.each([
    [true, 1e-5, 37],
    [false, 1e-6, 37],
    [true, 1e-5, 701],
    [false, 1e-6, 3],
  ])('normScale/normalize center=%s eps=%d d=%i', async (center, eps, d) => {
    const shape = [2, 7, d];
    // An offset makes LayerNorm's centring matter.
    const [g, c] = pair(gpu, randomData(14 * d, 16, 3).map((v) => v + 5), shape);
    const sg = gpu.normScale(g, center, eps);
    const sc = cpu.normScale(c, center, eps);
    await expectMatch(gpu, sg, sc, TIGHT, 'normScale');
    await expectMatch(gpu, gpu.normalize(g, sg, center), cpu.normalize(c, sc, center), TIGHT, 'normalize');
  });
});

describe('rope', () => {
  it.each([
    ['full rotary', 18, 18, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]],
    ['partial rotary', 18, 6, [7, 8, 9, 10, 11, 12, 13, 100, 101, 102, 103, 104, 105, 106]],
    ['large and negative positions', 10, 8, [4000, 4001, 4095, 60000, -5, -4000, 0, 1, 2, 3, 4, 5, 6, 7]],
  ])('%s', async (_, dHead, rotaryDims, positions) => {
    const shape = [2, 7, 3, dHead];
    const [g, c] = pair(gpu, randomData(42 * dHead, 17, 2), shape);
    const pos = Int32Array.from(positions);
    await expectMatch(gpu, gpu.rope(g, pos, rotaryDims, 10000), cpu.rope(c, pos, rotaryDims, 10000), TIGHT, 'rope');
  });
});

describe('gather', () => {
  const ids = Int32Array.from([5, 0, 22, 5, 13, 22, 1]);
  it('f32 tables move rows exactly', async () => {
    const [g, c] = pair(gpu, randomData(23 * 19, 18), [23, 19]);
    await expectMatch(gpu, gpu.gather(g, ids), cpu.gather(c, ids), { abs: 0, rel: 0 }, 'gather');
  });

  it.each(['F16', 'BF16'] as const)('%s tables decode in the kernel', async (dtype) => {
    const next = rng(19);
    const data = Uint16Array.from({ length: 23 * 19 }, () => (Math.floor(next() * 0x3c00) | (next() < 0.5 ? 0x8000 : 0)) & 0xbbff);
    const [g, c] = pairWeight(gpu, { name: 'embed', dtype, shape: [23, 19], data });
    await expectMatch(gpu, gpu.gather(g, ids), cpu.gather(c, ids), { abs: 0, rel: 0 }, `gather ${dtype}`);
  });

  it('out-of-range ids throw', () => {
    const table = gpu.upload(randomData(23 * 19, 18), [23, 19]);
    expect(() => gpu.gather(table, Int32Array.from([3, 23]))).toThrow(/outside/);
    expect(() => gpu.gather(table, Int32Array.from([-1]))).toThrow(/outside/);
  });
});
