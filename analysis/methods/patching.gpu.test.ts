/**
 * Activation patching on the WebGPU backend (software adapter in CI): the reusing, layer-batched
 * executor agrees with naive re-running within 1e-5 at every patchable hook on GPT-2, and at k
 * (patched per KV head) on grouped-query Llama. The other architecture × hook cells run in the slow
 * suite (patching.slow.gpu.test.ts); the CPU tests cover every cell and batching plan.
 */
import { beforeAll, describe } from 'vitest';
import type { WebGpuBackend } from '../../gpu/webgpu/index.ts';
import { sharedGpu } from '../../gpu/webgpu/testing.ts';
import { itPatchesLikeNaive } from '../../test/patching-webgpu.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await sharedGpu();
});

describe('WebGPU patching: gpt2', () => itPatchesLikeNaive('gpt2', ['resid_pre', 'attn_out', 'z', 'k', 'pattern'], () => gpu));
describe('WebGPU patching: llama', () => itPatchesLikeNaive('llama', ['k'], () => gpu));
