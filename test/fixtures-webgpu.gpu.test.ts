/**
 * Issue 3 acceptance on the WebGPU backend (Node, Dawn on SwiftShader in CI): every fixture
 * family's reference with the CPU tolerances, and CPU vs WebGPU agreement at every hook point —
 * with interventions, and during KV-cached generation. stories260K (a trained Llama, the
 * architecture llama-tiny covers here) and its 256-token continuation run in the slow suite
 * (fixtures-webgpu.slow.gpu.test.ts); the browser project checks stories260K's references and
 * its first 64 greedy tokens on WebGPU in every run (fixtures-webgpu.browser.test.ts).
 */
import { beforeAll, describe } from 'vitest';
import type { WebGpuBackend } from '../gpu/webgpu/index.ts';
import { sharedGpu } from '../gpu/webgpu/testing.ts';
import { fixtureChecks } from './fixture-checks.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await sharedGpu();
});

/** GPT-2 (learned positions, LayerNorm), NeoX (partial rotary, parallel residual), Llama (BF16, GQA), Qwen2 (QKV bias). */
describe.each(['gpt2-tiny', 'pythia-tiny', 'llama-tiny', 'qwen2-tiny'] as const)('WebGPU reference %s', (name) => {
  fixtureChecks(name, () => gpu, 'the CPU backend');
});
