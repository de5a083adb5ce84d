/**
 * Slow suite (`npm run test:slow`): activation patching on WebGPU, reused and layer-batched vs
 * naive within 1e-5, for the architecture × hook cells the default run leaves out: GPT-NeoX and
 * Qwen2 at every hook, Llama at all but k (about 40 s on SwiftShader).
 *
 * The default run still covers: every hook (resid_pre, attn_out, z, k, pattern) on WebGPU on GPT-2,
 * and k on grouped-query Llama (patching.gpu.test.ts); every architecture, hook and batching plan
 * against naive re-running on the CPU (patching.test.ts); the NeoX, Llama and Qwen2 forward passes
 * on WebGPU, with interventions, in the fixture tests.
 */
import { beforeAll, describe } from 'vitest';
import type { WebGpuBackend } from '../../gpu/webgpu/index.ts';
import { sharedGpu } from '../../gpu/webgpu/testing.ts';
import { itPatchesLikeNaive } from '../../test/patching-webgpu.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await sharedGpu();
});

describe('WebGPU patching: gpt_neox', () => itPatchesLikeNaive('gpt_neox', ['resid_pre', 'attn_out', 'z', 'k', 'pattern'], () => gpu));
describe('WebGPU patching: llama', () => itPatchesLikeNaive('llama', ['resid_pre', 'attn_out', 'z', 'pattern'], () => gpu));
describe('WebGPU patching: qwen2', () => itPatchesLikeNaive('qwen2', ['resid_pre', 'attn_out', 'z', 'k', 'pattern'], () => gpu));
