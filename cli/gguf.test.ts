/** The CLI takes a .gguf file as --model; --backend llama.cpp reproduces llama.cpp's quantised arithmetic. */
import { describe, expect, it } from 'vitest';
import { jsonOf, runCli } from '../test/cli-capture.ts';
import { ggufReference } from '../test/gguf-reference.ts';

const Q8 = new URL('../test/fixtures/gguf/stories260K/q8_0.gguf', import.meta.url).pathname;

describe('probescope run --model FILE.gguf', () => {
  it('tokenizes with the GGUF tokenizer (BOS from add_bos_token) and generates', async () => {
    const out = await runCli(['run', '--model', Q8, '--backend', 'cpu-ref', '--prompt', 'Lily went to the park. Lily', '--generate', '3', '--json']);
    expect(out.code, out.stderr).toBe(0);
    const result = jsonOf(out) as { ids: number[]; model: { type: string }; generated: { ids: number[] } };
    expect(result.model.type).toBe('llama');
    expect(result.ids).toEqual([1, 317, 382, 361, 267, 265, 282, 295, 433, 426, 317]); // llama_tokenize (reference.json)
    expect(result.generated.ids).toHaveLength(3);
  });

  it("--backend llama.cpp gives llama.cpp's greedy continuation of a Q8_0 file", async () => {
    const input = ggufReference.inputs[0];
    const ids = input.input_ids.join(',');
    const out = await runCli(['run', '--model', Q8, '--backend', 'llama.cpp', '--ids', ids, '--generate', '8', '--json']);
    expect(out.code, out.stderr).toBe(0);
    const result = jsonOf(out) as { generated: { ids: number[] }; backend: { adapter: string } };
    expect(result.backend.adapter).toContain('llama.cpp');
    expect(result.generated.ids).toEqual(input.greedy_new_tokens.q8_0.slice(0, 8));
  });

  it('a missing .gguf file is one line naming it', async () => {
    const out = await runCli(['run', '--model', '/nonexistent/model.gguf', '--ids', '1', '--json']);
    expect(out.code).not.toBe(0);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toContain('model.gguf');
  });
});

describe('probescope compare', () => {
  it('compares the F32 and Q8_0 files on the same ids', async () => {
    const F32 = new URL('../test/fixtures/gguf/stories260K/f32.gguf', import.meta.url).pathname;
    const out = await runCli(['compare', '--model', F32, '--model-b', Q8, '--backend', 'cpu-ref', '--ids', '1,317,263,377', '--json']);
    expect(out.code, out.stderr).toBe(0);
    const result = jsonOf(out) as { ids: number[]; positions: unknown[]; residRelDiffMean: number[]; summary: { top1Agreement: number } };
    expect(result.ids).toEqual([1, 317, 263, 377]);
    expect(result.positions).toHaveLength(4);
    expect(result.residRelDiffMean).toHaveLength(5);
  });
});
