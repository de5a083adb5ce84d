/**
 * Tensors over the storage binding limit are split by rows, transparently for gather (embedding
 * tables) and linear/linearTransposed weights. A tiny artificial limit (4 KiB) forces splits on
 * small tensors; results must match the CPU reference exactly as without a split.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WeightDType } from '../backend.ts';
import type { WebGpuBackend } from './index.ts';
import { cpu, DOT, expectMatch, openGpu, pair, pairWeight, randomData, randomHalves } from './testing.ts';

const LIMIT = 4096;
let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await openGpu({ maxBindingBytes: LIMIT });
});
afterAll(() => gpu.destroy());

function table(dtype: WeightDType, shape: [number, number], seed: number) {
  const n = shape[0] * shape[1];
  const data = dtype === 'F32' ? randomData(n, seed) : randomHalves(n, dtype, seed);
  return pairWeight(gpu, { name: `t${seed}`, dtype, shape, data });
}

const EXACT = { abs: 0, rel: 0 };

describe('split tensors', () => {
  it.each([
    ['F32', [300, 7]],
    ['F16', [300, 7]],
    ['BF16', [301, 9]],
  ] as const)('%s table %j: read and gather across chunks', async (dtype, shape) => {
    const [g, c] = table(dtype, [...shape], 1);
    await expectMatch(gpu, g, c, EXACT, 'read');
    const ids = Int32Array.from([0, 299, 145, 146, 147, 150, 291, 292, 7, 299]);
    await expectMatch(gpu, gpu.gather(g, ids), cpu.gather(c, ids), EXACT, 'gather');
  });

  it.each([
    [[1, 13], 150, 'F32'],
    [[5, 13], 150, 'F32'],
    [[2, 3, 16], 130, 'BF16'],
    [[1, 16], 130, 'F16'],
  ] as const)('linear x %j with a split [%i, in] %s weight and bias', async (xShape, out, dtype) => {
    const k = xShape[xShape.length - 1];
    const [xg, xc] = pair(gpu, randomData(xShape.reduce((p: number, s) => p * s, 1), 2), [...xShape]);
    const [wg, wc] = table(dtype, [out, k], 3);
    const [bg, bc] = pair(gpu, randomData(out, 4), [out]);
    await expectMatch(gpu, gpu.linear(xg, wg, bg), cpu.linear(xc, wc, bc), DOT, 'linear');
  });

  it.each([
    [[3, 150], 13, 'F32'],
    [[2, 130], 16, 'F16'],
  ] as const)('linearTransposed x %j with a split [out, %i] %s weight (partial sums over K)', async (xShape, inner, dtype) => {
    const out = xShape[xShape.length - 1];
    const [xg, xc] = pair(gpu, randomData(xShape.reduce((p: number, s) => p * s, 1), 5), [...xShape]);
    const [wg, wc] = table(dtype, [out, inner], 6);
    await expectMatch(gpu, gpu.linearTransposed(xg, wg), cpu.linearTransposed(xc, wc), DOT, 'linearTransposed');
  });

  it('a tied F16 embedding serves gather and the unembedding', async () => {
    const [eg, ec] = table('F16', [300, 12], 7);
    const ids = Int32Array.from([3, 200, 171]);
    const hg = gpu.gather(eg, ids);
    const hc = cpu.gather(ec, ids);
    await expectMatch(gpu, gpu.linear(hg, eg), cpu.linear(hc, ec), DOT, 'logits');
  });

  it('other ops name the split and the limit; outputs over the limit name their size', () => {
    const big = gpu.upload(randomData(300 * 7, 8), [300, 7]);
    expect(() => gpu.softmax(big)).toThrow(/split across 3 buffers.*4096 bytes.*only gather and linear/);
    expect(() => gpu.fill([2000], 1)).toThrow(/fill \[2000\] needs 8000 bytes, over the storage binding limit of 4096/);
    expect(() => gpu.gather(gpu.reshape(big, [100, 21]), Int32Array.from([1]))).toThrow(/row boundaries/);
  });
});
