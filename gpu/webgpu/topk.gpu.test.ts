/** keepTopK on WebGPU against the CPU reference: random rows (kept sets equal exactly), ties, k ≥ n. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { WebGpuBackend } from './index.ts';
import { cpu, pair, randomData, sharedGpu } from './testing.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await sharedGpu();
});

describe('WebGPU keepTopK', () => {
  it.each([
    [3, 7, 2],
    [5, 300, 24],
    [2, 16, 16],
    [2, 9, 40],
  ])('%i rows of %i, k = %i: bit-identical to the CPU', async (rows, n, k) => {
    const data = randomData(rows * n, 11 + n);
    const [g, c] = pair(gpu, data, [rows, n]);
    const [got] = await gpu.read([gpu.keepTopK(g, k)]);
    const [want] = await cpu.read([cpu.keepTopK(c, k)]);
    expect([...got]).toEqual([...want]);
  });

  it('ties at rank k go to the lower index', async () => {
    const [g] = pair(gpu, Float32Array.from([1, 2, 2, 2, 0]), [1, 5]);
    const [got] = await gpu.read([gpu.keepTopK(g, 2)]);
    expect([...got]).toEqual([0, 2, 2, 0, 0]);
  });
});
