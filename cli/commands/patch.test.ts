import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { activationPatching } from '../../analysis/methods/patching.ts';
import { jsonOf, runCli } from '../../test/cli-capture.ts';
import { FIXTURES, flatten, loadReference, worstMismatch } from '../../test/reference.ts';
import { openModel } from '../open.ts';

interface PatchJson {
  clean: number;
  corrupt: number;
  grid: number[][];
  normalized: number[][];
  axes: string[];
}

describe('probescope patch', () => {
  it('reproduces golden (e) on a fixture folder', async () => {
    const ref = loadReference('qwen2-tiny');
    const g = ref.methods.activation_patching as { corrupted_input_ids: number[]; clean_token: number; corrupted_token: number; grid: number[][]; clean_metric: number; corrupted_metric: number };
    const out = jsonOf(await runCli([
      'patch', '--model', `${FIXTURES}qwen2-tiny`, '--clean-ids', ref.inputs[0].input_ids.join(','), '--corrupt-ids', g.corrupted_input_ids.join(','),
      '--hook', 'resid_pre', '--answer', String(g.clean_token), '--wrong', String(g.corrupted_token), '--json',
    ])) as unknown as PatchJson;
    expect(out.axes).toEqual(['layer', 'pos']);
    expect(worstMismatch(out.grid.flat(), flatten(g.grid).data)).toBeNull();
    expect(Math.abs(out.clean - g.clean_metric)).toBeLessThan(1e-4);
    expect(Math.abs(out.corrupt - g.corrupted_metric)).toBeLessThan(1e-4);
    expect(out.normalized[0][1]).toBeCloseTo(1, 5);
  });

  it('patches z per [layer, head] on builtin:stories260K from text prompts, like the library', async () => {
    const argv = ['patch', '--model', 'builtin:stories260K', '--clean-prompt', 'Lily had a red ball. Lily', '--corrupt-prompt', 'Tim had a red ball. Tim',
      '--hook', 'z', '--all-positions', '--answer', '261', '--wrong', '365', '--json'];
    const out = jsonOf(await runCli(argv)) as unknown as PatchJson & { clean_ids: number[]; corrupt_ids: number[] };
    const model = await openModel('builtin:stories260K', createCpuBackend());
    const lib = await activationPatching(model, {
      clean: out.clean_ids, corruption: { kind: 'tokens', ids: out.corrupt_ids }, hook: 'z', byPosition: false, metric: { answer: 261, wrong: 365 },
    });
    expect(out.clean_ids[0]).toBe(1); // the stories tokenizer prepends BOS
    expect(out.axes).toEqual(['layer', 'head']);
    expect(out.grid).toHaveLength(5);
    expect(out.grid[0]).toHaveLength(8);
    expect(out.grid.flat()).toEqual(Array.from(lib.metric));
    expect(out.clean).toBe(lib.cleanMetric);
  });

  it('noise corruption and text output', async () => {
    const ids = [1, 403, 407, 261, 378, 432, 383, 286];
    const text = await runCli(['patch', '--model', 'builtin:stories260K', '--clean-ids', ids.join(','), '--noise-pos', '1,2', '--answer', '261']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/denoising resid_pre sweep over \[layer, pos\]/);
    expect(text.stdout.trim().split('\n')).toHaveLength(2 + 5);
    const out = jsonOf(await runCli(['patch', '--model', 'builtin:stories260K', '--clean-ids', ids.join(','), '--noise-pos', '1,2', '--answer', '261', '--json'])) as unknown as PatchJson & { noise_sigma: number };
    expect(out.noise_sigma).toBeGreaterThan(0);
    expect(out.grid[0][1]).not.toBe(out.corrupt);
    expect(out.grid[0][3]).toBe(out.corrupt);
  });

  it('fails with one clear line on prompts of different lengths or a missing flag', async () => {
    const unequal = await runCli(['patch', '--model', 'builtin:stories260K', '--clean-ids', '1,403,407', '--corrupt-ids', '1,403', '--answer', '261']);
    expect(unequal.code).toBe(1);
    expect(unequal.stderr.trim()).toBe(
      'probescope patch: corrupted prompt has 2 tokens but the clean prompt has 3: patching compares the runs position by position, so symmetric token replacement needs prompts of equal token length',
    );
    const noAnswer = await runCli(['patch', '--model', 'builtin:stories260K', '--clean-ids', '1,403', '--corrupt-ids', '1,404']);
    expect(noAnswer.code).toBe(2);
    expect(noAnswer.stderr).toMatch(/--answer is required/);
    const badHook = await runCli(['patch', '--model', 'builtin:stories260K', '--clean-ids', '1,403', '--corrupt-ids', '1,404', '--answer', '5', '--hook', 'resid']);
    expect(badHook.code).toBe(2);
    expect(badHook.stderr).toMatch(/--hook: "resid" is not one of resid_pre, resid_mid/);
    const twoCorruptions = await runCli(['patch', '--model', 'builtin:stories260K', '--clean-ids', '1,403', '--corrupt-ids', '1,404', '--noise-pos', '1', '--answer', '5']);
    expect(twoCorruptions.stderr).toMatch(/exactly one corruption/);
  });
});
