/**
 * Issue 18 acceptance on WebGPU (Dawn on SwiftShader in CI): stories260K's F32, Q8_0 and Q4_0
 * GGUF files — Q8_0/Q4_0 weights uploaded as ggml blocks and decoded inside the GEMV/GEMM/gather
 * kernels (kernels/blocks.wgsl) — give logits
 * within 1e-4 + 1e-4·|ref| of the float64 forward of the exactly dequantized weights; the F32
 * file also within that tolerance of llama.cpp's own logits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebGpuBackend } from '../gpu/webgpu/index.ts';
import { createNodeWebGpuBackend } from '../gpu/webgpu/node.ts';
import { run } from '../analysis/model/run.ts';
import { worstMismatch } from './compare.ts';
import { GGUF_FILES, ggufReference, loadGgufFixture } from './gguf-reference.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await createNodeWebGpuBackend();
});
afterAll(() => gpu.destroy());

describe.each(GGUF_FILES)('stories260K %s.gguf on WebGPU', (file) => {
  it('logits within 1e-4 + 1e-4·|ref| of the float64 forward of the dequantized weights', async () => {
    const model = await loadGgufFixture(file, gpu);
    // One input per file: SwiftShader compiles a pipeline per weight kind and tile, which is most
    // of this test's time; the CPU tests cover every input.
    for (const input of ggufReference.inputs.slice(0, 1)) {
      const { logits } = await run(model, { ids: input.input_ids });
      expect(worstMismatch(logits!.data, input.logits_dequant_f64[file].flat()), input.name).toBeNull();
      if (file === 'f32') expect(worstMismatch(logits!.data, input.logits.f32.flat()), `${input.name} vs llama.cpp`).toBeNull();
    }
  });
});
