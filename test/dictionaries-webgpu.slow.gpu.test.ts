/**
 * Slow suite (`npm run test:slow`): issue 16's dictionary goldens on WebGPU for the second host,
 * gemma3-tiny (about 30 s on SwiftShader, mostly compiling Gemma-3's pipelines).
 *
 * The default run still covers: every dictionary kind (standard, TopK, JumpReLU, transcoder,
 * circuit-tracer) against its goldens on WebGPU on stories260K (dictionaries-webgpu.gpu.test.ts);
 * Gemma-3 on WebGPU against its own reference (fixtures-newer-webgpu.gpu.test.ts); gemma3-tiny's
 * dictionary goldens on the CPU (dictionaries.test.ts).
 */
import { beforeAll } from 'vitest';
import type { WebGpuBackend } from '../gpu/webgpu/index.ts';
import { sharedGpu } from '../gpu/webgpu/testing.ts';
import { describeDictionaryGoldensOnWebGpu } from './dictionary-goldens-webgpu.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await sharedGpu();
});

describeDictionaryGoldensOnWebGpu('gemma3-tiny', () => gpu);
