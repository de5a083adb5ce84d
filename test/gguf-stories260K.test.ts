/**
 * Issue 18 acceptance on the CPU reference backend: stories260K in llama.cpp's GGUF files.
 * - every file (F32, Q8_0, Q4_0): logits within 1e-4 + 1e-4·|ref| of a float64 forward of the
 *   exactly dequantized weights, at every position;
 * - F32: within that tolerance of llama.cpp's own logits, and its greedy continuations;
 * - llama.cpp parity mode (activations rounded to Q8_0 / F16 before quantised / F16 matmuls, as
 *   ggml's CPU path does): llama.cpp's Q8_0 and Q4_0 logits up to the rounding flips the fixture
 *   README documents, and llama.cpp's Q8_0 greedy continuations.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../gpu/cpu/backend.ts';
import { generate } from '../analysis/model/generate.ts';
import { run } from '../analysis/model/run.ts';
import { worstMismatch } from './compare.ts';
import { GGUF_FILES, ggufReference, loadGgufFixture, maxAbsDiff } from './gguf-reference.ts';

const { inputs } = ggufReference;

async function greedy(model: Parameters<typeof generate>[0], ids: readonly number[]): Promise<number[]> {
  return (await generate(model, { ids }, { maxNewTokens: 32, temperature: 0, stopTokens: [] })).newIds;
}

describe.each(GGUF_FILES)('stories260K %s.gguf on the CPU', (file) => {
  it('logits within 1e-4 + 1e-4·|ref| of the float64 forward of the dequantized weights', async () => {
    const model = await loadGgufFixture(file, createCpuBackend());
    for (const input of inputs) {
      const { logits } = await run(model, { ids: input.input_ids });
      expect(worstMismatch(logits!.data, input.logits_dequant_f64[file].flat()), input.name).toBeNull();
      // Exact dequantisation is not llama.cpp's arithmetic: quantised files land 0.2–0.3 away.
      if (file !== 'f32') expect(maxAbsDiff(logits!.data, input.logits[file])).toBeGreaterThan(0.05);
    }
  });
});

describe('stories260K f32.gguf matches llama.cpp', () => {
  it("llama.cpp's logits within 1e-4 + 1e-4·|ref| and its greedy continuations token for token", async () => {
    const model = await loadGgufFixture('f32', createCpuBackend());
    for (const input of inputs) {
      const { logits } = await run(model, { ids: input.input_ids });
      expect(worstMismatch(logits!.data, input.logits.f32.flat()), input.name).toBeNull();
      expect(await greedy(model, input.input_ids), input.name).toEqual(input.greedy_new_tokens.f32);
    }
    expect(await greedy(model, ggufReference.greedy_from_bos.prompt_ids)).toEqual(ggufReference.greedy_from_bos.new_tokens.f32);
  });
});

describe('llama.cpp parity mode (CPU)', () => {
  /**
   * Positions before the first rounding flip: an activation on a Q8_0 rounding boundary rounds
   * differently in llama.cpp's float32 and our float64 sums, and the difference propagates
   * through the KV cache (fixture README; measured here: q8_0 text_1 from position 14, q4_0
   * text_1 at 6 and from 20, q4_0 repeated_random from 5).
   */
  const clean: Record<'q8_0' | 'q4_0', Record<string, number>> = {
    q8_0: { text_0: 11, text_1: 14, repeated_random: 23 },
    q4_0: { text_0: 11, text_1: 6, repeated_random: 5 },
  };

  it.each(['q8_0', 'q4_0'] as const)("%s: llama.cpp's logits up to the first rounding flip", async (file) => {
    const model = await loadGgufFixture(file, createCpuBackend({ llamaCppParity: true }));
    for (const input of inputs) {
      const { logits } = await run(model, { ids: input.input_ids });
      const upTo = clean[file][input.name];
      expect(upTo).toBeGreaterThan(0);
      const v = input.logits[file][0].length;
      const prefix = logits!.data.subarray(0, upTo * v);
      expect(worstMismatch(prefix, input.logits[file].slice(0, upTo).flat(), 1e-5, 1e-5), input.name).toBeNull();
      // Not the exact forward: parity mode does change the numbers.
      expect(maxAbsDiff(logits!.data, input.logits_dequant_f64[file], 0, upTo)).toBeGreaterThan(0.05);
    }
  });

  it("q8_0: llama.cpp's greedy continuations token for token", async () => {
    const model = await loadGgufFixture('q8_0', createCpuBackend({ llamaCppParity: true }));
    for (const input of inputs) expect(await greedy(model, input.input_ids), input.name).toEqual(input.greedy_new_tokens.q8_0);
    expect(await greedy(model, ggufReference.greedy_from_bos.prompt_ids)).toEqual(ggufReference.greedy_from_bos.new_tokens.q8_0);
  });
});
