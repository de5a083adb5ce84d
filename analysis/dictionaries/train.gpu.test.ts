/**
 * The TopK trainer on WebGPU against the same run on the CPU reference: four Adam steps (with
 * the auxiliary loss active from the start) land on the same weights within f32 rounding.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import type { WebGpuBackend } from '../../gpu/webgpu/index.ts';
import { createNodeWebGpuBackend } from '../../gpu/webgpu/node.ts';
import { seededRandom } from '../../gpu/random.ts';
import { DEFAULT_TRAIN, trainTopK } from './train.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await createNodeWebGpuBackend();
});
afterAll(() => gpu.destroy());

describe('TopK trainer on WebGPU', () => {
  it('matches the CPU reference after 4 steps', async () => {
    const next = seededRandom(3);
    const n = 256;
    const d = 16;
    const inputs = Float32Array.from({ length: n * d }, () => 2 * next() - 1);
    const data = { inputs, n, dIn: d, dOut: d };
    const config = { ...DEFAULT_TRAIN, dSae: 32, k: 4, steps: 4, batchSize: 64, deadAfterSteps: 0, seed: 2 };
    const onCpu = await trainTopK(createCpuBackend(), data, config);
    const onGpu = await trainTopK(gpu, data, config);
    for (const name of ['encoder', 'bEnc', 'decoder', 'bDec'] as const) {
      const a = onGpu.state.params[name];
      const b = onCpu.state.params[name];
      let worst = 0;
      for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      expect(worst, name).toBeLessThan(1e-4);
    }
    expect(Math.abs(onGpu.state.lastLoss - onCpu.state.lastLoss)).toBeLessThan(1e-5);
  });
});
