/**
 * Slow suite (`npm run test:slow`): stories260K's F32 and Q8_0 GGUF files on WebGPU against the
 * float64 forward of the dequantized weights, the F32 file also against llama.cpp's logits (about
 * 35 s on SwiftShader, mostly compiling a pipeline per weight kind).
 *
 * The default run still covers: a whole GGUF model with block weights decoded on WebGPU (Q4_0,
 * gguf-stories260K.gpu.test.ts); Q8_0 and Q4_0 blocks in every WebGPU kernel that reads them
 * (linear GEMV and GEMM, linearTransposed, gather, headResult) against the CPU's exact decoding
 * (gpu/webgpu/quant.gpu.test.ts); F32 weights on WebGPU in the fixture tests; on the CPU, all
 * three files against the float64 forward and the F32 file against llama.cpp (gguf-stories260K.test.ts).
 */
import { beforeAll } from 'vitest';
import type { WebGpuBackend } from '../gpu/webgpu/index.ts';
import { sharedGpu } from '../gpu/webgpu/testing.ts';
import { describeGgufOnWebGpu } from './gguf-webgpu.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await sharedGpu();
});

for (const file of ['f32', 'q8_0'] as const) describeGgufOnWebGpu(file, () => gpu);
