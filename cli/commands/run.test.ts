import { describe, expect, it } from 'vitest';
import { jsonOf, runCli } from '../../test/cli-capture.ts';
import { FIXTURES, flatten, loadReference, worstMismatch } from '../../test/reference.ts';

interface RunJson {
  model: Record<string, number | string>;
  backend: { name: string; adapter: string };
  ids: number[];
  logits: number[][];
  loss: number | null;
  cache: Record<string, { shape: number[]; data: number[] }>;
  generated?: { ids: number[]; text: string | null; stopped: string };
}

describe('probescope run', () => {
  it('prints the documented JSON for a prompt on builtin:stories260K, with BOS, captures and generation', async () => {
    const out = jsonOf(await runCli(['run', '--model', 'builtin:stories260K', '--prompt', 'Once upon a time', '--capture', 'blocks.*.attn.hook_pattern', '--generate', '8', '--json'])) as unknown as RunJson;
    expect(out.model).toEqual({ type: 'llama', n_layers: 5, n_heads: 8, n_kv_heads: 4, d_model: 64, d_vocab: 512 });
    expect(out.backend.name).toBe('wasm'); // --backend cpu (the default) is the fast CPU backend
    expect(out.ids).toEqual([1, 403, 407, 261, 378]);
    expect(out.logits).toHaveLength(1);
    expect(out.logits[0]).toHaveLength(512);
    expect(Object.keys(out.cache)).toEqual([0, 1, 2, 3, 4].map((l) => `blocks.${l}.attn.hook_pattern`));
    expect(out.cache['blocks.0.attn.hook_pattern'].shape).toEqual([1, 8, 5, 5]);
    // run.c's greedy continuation of "Once upon a time" (the first 8 tokens after the prompt).
    const greedy = loadReference('stories260K-hf').greedy_from_bos!.new_tokens;
    expect(out.generated!.ids).toEqual(greedy.slice(4, 12));
    expect(out.generated!.text).toMatch(/^, there was a little/);
    expect(typeof out.loss).toBe('number');
  });

  it('matches the reference logits for --ids on a fixture folder, --no-bos and --logits all', async () => {
    const input = loadReference('qwen2-tiny').inputs[0];
    const out = jsonOf(await runCli(['run', '--model', `${FIXTURES}qwen2-tiny`, '--ids', input.input_ids.join(','), '--logits', 'all', '--no-bos', '--json'])) as unknown as RunJson;
    expect(out.ids).toEqual(input.input_ids);
    expect(worstMismatch(out.logits.flat(), flatten(input.logits!).data)).toBeNull();
    expect(Math.abs(out.loss! - input.loss)).toBeLessThan(1e-4);
  });

  it('applies a JSON intervention', async () => {
    const base = ['run', '--model', 'builtin:stories260K', '--ids', '1,403,407,261,378', '--json'];
    const clean = jsonOf(await runCli(base)) as unknown as RunJson;
    const ablated = jsonOf(await runCli([...base, '--intervene', '[{"hook":"blocks.4.attn.hook_z","op":"zero","head":0}]'])) as unknown as RunJson;
    expect(ablated.logits[0]).not.toEqual(clean.logits[0]);
  });

  it.each([
    [['run', '--model', `${FIXTURES}llama-tiny`, '--prompt', 'hello', '--json'], /no tokenizer\.json.*--ids/],
    [['run', '--model', 'builtin:stories260K', '--ids', '1,9999', '--json'], /token id 9999 is outside the vocabulary/],
    [['run', '--model', '/nonexistent/folder', '--ids', '1', '--json'], /config\.json/],
    [['run', '--model', 'builtin:stories260K', '--json'], /--prompt TEXT or --ids/],
    [['run', '--model', 'builtin:stories260K', '--ids', '1', '--capture', 'blocks.*.hook_nope', '--json'], /matches no hook point/],
    [['run', '--model', 'builtin:stories260K', '--ids', '1', '--bogus'], /unknown option --bogus \(see probescope run --help\)/],
  ])('fails with one clear line and a non-zero exit: %j', async (argv, message) => {
    const out = await runCli(argv);
    expect(out.code).not.toBe(0);
    expect(out.stdout).toBe('');
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(message);
  });
});
