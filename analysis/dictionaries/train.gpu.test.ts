/**
 * The trainer on WebGPU against the same run on the CPU reference: four Adam steps of TopK (with
 * the auxiliary loss active from the start) and of JumpReLU (with the pre-act loss active and
 * thresholds inside the kernel's band) land on the same weights within f32 rounding.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import type { WebGpuBackend } from '../../gpu/webgpu/index.ts';
import { sharedGpu } from '../../gpu/webgpu/testing.ts';
import { seededRandom } from '../../gpu/random.ts';
import type { TrainConfig, TrainData } from './train.ts';
import { DEFAULT_JUMPRELU, DEFAULT_TRAIN, trainDictionary } from './train.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await sharedGpu();
});

async function compare(data: TrainData, config: TrainConfig): Promise<void> {
  const onCpu = await trainDictionary(createCpuBackend(), data, config);
  const onGpu = await trainDictionary(gpu, data, config);
  for (const name of ['encoder', 'bEnc', 'decoder', 'bDec', 'logThreshold'] as const) {
    const a = onGpu.state.params[name];
    const b = onCpu.state.params[name];
    expect(a === undefined, name).toBe(b === undefined);
    if (!a || !b) continue;
    let worst = 0;
    for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    expect(worst, name).toBeLessThan(1e-4);
  }
  expect(Math.abs(onGpu.state.lastLoss - onCpu.state.lastLoss)).toBeLessThan(1e-5);
}

function randomData(): TrainData {
  const next = seededRandom(3);
  const n = 256;
  const d = 16;
  const inputs = Float32Array.from({ length: n * d }, () => 2 * next() - 1);
  return { inputs, n, dIn: d, dOut: d };
}

describe('trainer on WebGPU', () => {
  it('TopK matches the CPU reference after 4 steps', async () => {
    await compare(randomData(), { ...DEFAULT_TRAIN, dSae: 32, k: 4, steps: 4, batchSize: 64, deadAfterSteps: 0, seed: 2 });
  });

  it('JumpReLU matches the CPU reference after 4 steps', async () => {
    const config = { ...DEFAULT_TRAIN, ...DEFAULT_JUMPRELU, dSae: 32, steps: 4, batchSize: 64, deadAfterSteps: 0, seed: 2, bandwidth: 0.5, initThreshold: 0.3, preActCoefficient: 0.1 };
    await compare(randomData(), config);
  });
});
