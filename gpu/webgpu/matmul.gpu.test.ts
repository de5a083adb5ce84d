/**
 * The GEMM family against the CPU reference (f64 accumulation): linear through the GEMV path
 * (≤ 4 rows) and the tiled path, linearTransposed, matmul, headResult; odd sizes, vec4 and
 * scalar loads, F32/F16/BF16 weights, and a non-default tile shape.
 */
import { beforeAll, describe, it } from 'vitest';
import type { WeightDType } from '../backend.ts';
import type { WebGpuBackend } from './index.ts';
import { cpu, DOT, expectMatch, openGpu, pair, pairWeight, randomData, randomHalves, sharedGpu } from './testing.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await sharedGpu();
});

function weight(dtype: WeightDType, shape: [number, number], seed: number) {
  const n = shape[0] * shape[1];
  const data = dtype === 'F32' ? randomData(n, seed) : randomHalves(n, dtype, seed);
  return pairWeight(gpu, { name: `w${seed}`, dtype, shape, data });
}

describe('linear', () => {
  // [x shape, out, dtype, bias]: rows ≤ 4 take the GEMV kernel; K = 37/33 the scalar loads,
  // K = 64/300/36/40 the vec4 loads; 70 and 130 rows cross 64-row tiles.
  const cases: [number[], number, WeightDType, boolean][] = [
    [[1, 300], 129, 'F32', true],
    [[1, 1, 37], 19, 'F16', false],
    [[3, 64], 77, 'BF16', true],
    [[4, 33], 9, 'F32', false],
    [[1, 301], 67, 'F16', true],
    [[5, 37], 19, 'F32', true],
    [[2, 35, 300], 129, 'F32', true],
    [[70, 64], 67, 'F16', true],
    [[17, 40], 67, 'BF16', false],
    [[130, 36], 5, 'F32', false],
    [[23, 37], 45, 'BF16', true],
  ];
  it.each(cases)('x %j · w [%i, in] %s bias=%s', async (xShape, out, dtype, bias) => {
    const k = xShape[xShape.length - 1];
    const [xg, xc] = pair(gpu, randomData(xShape.reduce((p, s) => p * s, 1), 1), xShape);
    const [wg, wc] = weight(dtype, [out, k], 2);
    const [bg, bc] = bias ? pair(gpu, randomData(out, 3), [out]) : [undefined, undefined];
    await expectMatch(gpu, gpu.linear(xg, wg, bg), cpu.linear(xc, wc, bc), DOT, 'linear');
  });
});

describe('linearTransposed', () => {
  const cases: [number[], number, WeightDType][] = [
    [[1, 19], 37, 'F32'],
    [[3, 7, 64], 45, 'F16'],
    [[70, 33], 20, 'BF16'],
  ];
  it.each(cases)('x %j · w [out, %i] %s', async (xShape, inner, dtype) => {
    const out = xShape[xShape.length - 1];
    const [xg, xc] = pair(gpu, randomData(xShape.reduce((p, s) => p * s, 1), 4), xShape);
    const [wg, wc] = weight(dtype, [out, inner], 5);
    await expectMatch(gpu, gpu.linearTransposed(xg, wg), cpu.linearTransposed(xc, wc), DOT, 'linearTransposed');
  });
});

describe('matmul', () => {
  it.each([
    [[37, 41], [41, 29]],
    [[3, 17, 20], [3, 20, 36]],
    [[1, 5], [5, 131]],
    [[2, 66, 7], [2, 7, 3]],
  ])('%j · %j', async (aShape, bShape) => {
    const [ag, ac] = pair(gpu, randomData(aShape.reduce((p, s) => p * s, 1), 6), aShape);
    const [bg, bc] = pair(gpu, randomData(bShape.reduce((p, s) => p * s, 1), 7), bShape);
    await expectMatch(gpu, gpu.matmul(ag, bg), cpu.matmul(ac, bc), DOT, 'matmul');
  });

  it('with an F16 right-hand side', async () => {
    const [ag, ac] = pair(gpu, randomData(9 * 40, 8), [9, 40]);
    const [bg, bc] = weight('F16', [40, 28], 9);
    await expectMatch(gpu, gpu.matmul(ag, bg), cpu.matmul(ac, bc), DOT, 'matmul F16');
  });
});

describe('headResult', () => {
  it.each(['F32', 'BF16', 'F16'] as const)('wO %s', async (dtype) => {
    const zShape = [2, 5, 3, 12];
    const [zg, zc] = pair(gpu, randomData(2 * 5 * 3 * 12, 10), zShape);
    const [wg, wc] = weight(dtype, [19, 36], 11);
    await expectMatch(gpu, gpu.headResult(zg, wg), cpu.headResult(zc, wc), DOT, 'headResult');
  });
});

describe('tile shapes are pipeline overrides', () => {
  it('an 8×4-thread, K=8 tile gives the same products', async () => {
    const small = await openGpu({ matmulTile: { wgX: 8, wgY: 4, tileK: 8 } });
    try {
      const [xg, xc] = [small.upload(randomData(45 * 37, 12), [45, 37]), cpu.upload(randomData(45 * 37, 12), [45, 37])];
      const w = randomData(50 * 37, 13);
      await expectMatch(small, small.linear(xg, small.upload(w, [50, 37])), cpu.linear(xc, cpu.upload(w, [50, 37])), DOT, 'linear');
      const y = randomData(37 * 21, 14);
      await expectMatch(small, small.matmul(xg, small.upload(y, [37, 21])), cpu.matmul(xc, cpu.upload(y, [37, 21])), DOT, 'matmul');
    } finally {
      small.destroy();
    }
  });
});
