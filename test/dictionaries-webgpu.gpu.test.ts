/**
 * Issue 16 acceptance on WebGPU (Dawn on SwiftShader in CI): the dictionary goldens of
 * stories260K's fixture dictionaries — SAELens standard, TopK (the top-k kernel), JumpReLU, a
 * JumpReLU transcoder and its circuit-tracer twin — on one input each (input 1). The second host
 * (gemma3-tiny: the same five kinds) runs in the slow suite (dictionaries-webgpu.slow.gpu.test.ts).
 */
import { beforeAll } from 'vitest';
import type { WebGpuBackend } from '../gpu/webgpu/index.ts';
import { sharedGpu } from '../gpu/webgpu/testing.ts';
import { describeDictionaryGoldensOnWebGpu } from './dictionary-goldens-webgpu.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await sharedGpu();
});

describeDictionaryGoldensOnWebGpu('stories260K-hf', () => gpu);
