/**
 * Issue 18 acceptance on WebGPU (Dawn on SwiftShader in CI): stories260K's Q4_0 GGUF file — its
 * weights uploaded as ggml blocks and decoded inside the GEMV/GEMM/gather kernels
 * (kernels/blocks.wgsl) — gives logits within 1e-4 + 1e-4·|ref| of the float64 forward of the
 * exactly dequantized weights. The F32 and Q8_0 files run in the slow suite
 * (gguf-stories260K.slow.gpu.test.ts).
 */
import { beforeAll } from 'vitest';
import type { WebGpuBackend } from '../gpu/webgpu/index.ts';
import { sharedGpu } from '../gpu/webgpu/testing.ts';
import { describeGgufOnWebGpu } from './gguf-webgpu.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await sharedGpu();
});

describeGgufOnWebGpu('q4_0', () => gpu);
