/**
 * Issue 18's GGUF check on WebGPU for one of stories260K's GGUF files: logits within
 * 1e-4 + 1e-4·|ref| of the float64 forward of the exactly dequantized weights (the F32 file also
 * within that of llama.cpp's own logits). The default and slow WebGPU GGUF tests register it.
 */
import { describe, expect, it } from 'vitest';
import type { WebGpuBackend } from '../gpu/webgpu/index.ts';
import { run } from '../analysis/model/run.ts';
import { worstMismatch } from './compare.ts';
import type { GgufFixture } from './gguf-reference.ts';
import { ggufReference, loadGgufFixture } from './gguf-reference.ts';

export function describeGgufOnWebGpu(file: GgufFixture, gpu: () => WebGpuBackend): void {
  describe(`stories260K ${file}.gguf on WebGPU`, () => {
    it('logits within 1e-4 + 1e-4·|ref| of the float64 forward of the dequantized weights', async () => {
      const model = await loadGgufFixture(file, gpu());
      // One input per file: SwiftShader compiles a pipeline per weight kind and tile, which is most
      // of this test's time; the CPU tests cover every input.
      for (const input of ggufReference.inputs.slice(0, 1)) {
        const { logits } = await run(model, { ids: input.input_ids });
        expect(worstMismatch(logits!.data, input.logits_dequant_f64[file].flat()), input.name).toBeNull();
        if (file === 'f32') expect(worstMismatch(logits!.data, input.logits.f32.flat()), `${input.name} vs llama.cpp`).toBeNull();
      }
    });
  });
}
