/**
 * Slow suite (`npm run test:slow`): issue 3's checks of stories260K on WebGPU in Node — its
 * reference, CPU agreement with interventions and during KV-cached generation — and its 256-token
 * greedy continuation from BOS (about 40 s of SwiftShader decoding).
 *
 * The default run still covers: the same three checks on every other base family, llama-tiny
 * among them (stories260K's architecture), in fixtures-webgpu.gpu.test.ts; stories260K's
 * references and first 64 greedy tokens on WebGPU in Chromium (fixtures-webgpu.browser.test.ts);
 * stories260K forwards on WebGPU against float64 goldens in the dictionary, GGUF and gradient tests;
 * the KV-cached decode kernels in every family's short generation check.
 */
import { beforeAll, describe, it } from 'vitest';
import type { WebGpuBackend } from '../gpu/webgpu/index.ts';
import { sharedGpu } from '../gpu/webgpu/testing.ts';
import { expectGreedyContinuation, fixtureChecks } from './fixture-checks.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await sharedGpu();
});

describe('WebGPU reference stories260K-hf', () => {
  fixtureChecks('stories260K-hf', () => gpu, 'the CPU backend');
});

describe('stories260K on WebGPU', () => {
  it('the 256-token greedy continuation from BOS is identical, token for token', () => expectGreedyContinuation(gpu));
});
