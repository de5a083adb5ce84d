import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { activationPatching } from '../../analysis/methods/patching.ts';
import { jsonOf, runCli } from '../../test/cli-capture.ts';
import { FIXTURES, flatten, loadReference, worstMismatch } from '../../test/reference.ts';
import { openModel } from '../open.ts';

interface PatchJson {
  cleanMetric: number;
  corruptedMetric: number;
  /** Row-major over axes. */
  metric: number[];
  normalized: number[];
  axes: string[];
  shape: number[];
  cleanIds: number[];
  corruptedIds: number[];
  noiseSigma: number | null;
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
    expect(worstMismatch(out.metric, flatten(g.grid).data)).toBeNull();
    expect(Math.abs(out.cleanMetric - g.clean_metric)).toBeLessThan(1e-4);
    expect(Math.abs(out.corruptedMetric - g.corrupted_metric)).toBeLessThan(1e-4);
    expect(out.normalized[1]).toBeCloseTo(1, 5); // layer 0, position 1
  });

  it('patches z per [layer, head] on builtin:stories260K from text prompts, like the library', async () => {
    const argv = ['patch', '--model', 'builtin:stories260K', '--clean-prompt', 'Lily had a red ball. Lily', '--corrupt-prompt', 'Tim had a red ball. Tim',
      '--hook', 'z', '--all-positions', '--answer', '261', '--wrong', '365', '--backend', 'cpu-ref', '--json'];
    const out = jsonOf(await runCli(argv)) as unknown as PatchJson;
    const model = await openModel('builtin:stories260K', createCpuBackend());
    const lib = await activationPatching(model, {
      clean: out.cleanIds, corruption: { kind: 'tokens', ids: out.corruptedIds }, hook: 'z', byPosition: false, metric: { answer: 261, wrong: 365 },
    });
    expect(out.cleanIds[0]).toBe(1); // the stories tokenizer prepends BOS
    expect(out.axes).toEqual(['layer', 'head']);
    expect(out.shape).toEqual([5, 8]);
    expect(out.metric).toEqual(Array.from(lib.metric));
    expect(out.cleanMetric).toBe(lib.cleanMetric);
  });

  it('noise corruption and text output', async () => {
    const ids = [1, 403, 407, 261, 378, 432, 383, 286];
    const text = await runCli(['patch', '--model', 'builtin:stories260K', '--clean-ids', ids.join(','), '--noise-pos', '1,2', '--answer', '261']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Normalised metric after denoising patching of resid_pre/);
    // A labelled grid: a header row of positions with their tokens, then one row per layer.
    const lines = text.stdout.split('\n');
    const header = lines.findIndex((l) => l.startsWith('layer \\ position'));
    expect(lines[header]).toMatch(/0: <s> +1: ·Once +2: ·upon/);
    expect(lines.slice(header + 1, header + 6).map((l) => l.split(/\s+/)[0])).toEqual(['L0', 'L1', 'L2', 'L3', 'L4']);
    const out = jsonOf(await runCli(['patch', '--model', 'builtin:stories260K', '--clean-ids', ids.join(','), '--noise-pos', '1,2', '--answer', '261', '--json'])) as unknown as PatchJson;
    expect(out.noiseSigma).toBeGreaterThan(0);
    expect(out.metric[1]).not.toBe(out.corruptedMetric); // layer 0, position 1: noised, so patching restores something
    expect(out.metric[3]).toBe(out.corruptedMetric); // layer 0, position 3: not noised, nothing to restore
  });

  it('fails with one clear line on prompts of different lengths or a bad flag', async () => {
    const unequal = await runCli(['patch', '--model', 'builtin:stories260K', '--clean-ids', '1,403,407', '--corrupt-ids', '1,403', '--answer', '261']);
    expect(unequal.code).toBe(1);
    expect(unequal.stderr.trim()).toBe(
      'probescope patch: corrupted prompt has 2 tokens but the clean prompt has 3: patching compares the runs position by position, so symmetric token replacement needs prompts of equal token length',
    );
    const noCorruption = await runCli(['patch', '--model', 'builtin:stories260K', '--clean-ids', '1,403', '--answer', '5']);
    expect(noCorruption.code).toBe(2);
    expect(noCorruption.stderr).toMatch(/give the corruption: --corrupted-prompt TEXT, --corrupted-ids 1,2,3 \(same token length\) or --noise-pos 1,2/);
    const badHook = await runCli(['patch', '--model', 'builtin:stories260K', '--clean-ids', '1,403', '--corrupt-ids', '1,404', '--answer', '5', '--hook', 'resid']);
    expect(badHook.code).toBe(2);
    expect(badHook.stderr).toMatch(/--hook: must be one of resid_pre, resid_mid, .* \(got "resid"\)/);
    const twoCorruptions = await runCli(['patch', '--model', 'builtin:stories260K', '--clean-ids', '1,403', '--corrupt-ids', '1,404', '--noise-pos', '1', '--answer', '5']);
    expect(twoCorruptions.stderr).toMatch(/exactly one corruption/);
  });
});
