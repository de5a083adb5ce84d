import { describe, expect, it } from 'vitest';
import { jsonOf, runCli } from '../../test/cli-capture.ts';
import { FIXTURES, flatten, loadReference, worstMismatch } from '../../test/reference.ts';

interface AttribJson {
  grid: number[][];
  exact?: number[][];
  pearson?: number;
  axes: string[];
  clean: number;
  corrupt: number;
}

describe('probescope attrib', () => {
  const ref = loadReference('llama-tiny');
  const g = ref.methods.activation_patching as { corrupted_input_ids: number[]; clean_token: number; corrupted_token: number };
  const golden = ref.methods.attribution_patching as { grid: number[][]; exact_grid: number[][]; pearson: number };
  const base = ['attrib', '--model', `${FIXTURES}llama-tiny`, '--clean-ids', ref.inputs[0].input_ids.join(','), '--corrupt-ids', g.corrupted_input_ids.join(','),
    '--answer', String(g.clean_token), '--wrong', String(g.corrupted_token)];

  it('reproduces golden (g) with --json: grid, exact and pearson', async () => {
    const out = jsonOf(await runCli([...base, '--hook', 'resid_pre', '--json'])) as unknown as AttribJson;
    expect(out.axes).toEqual(['layer', 'pos']);
    expect(worstMismatch(out.grid.flat(), flatten(golden.grid).data)).toBeNull();
    expect(worstMismatch(out.exact!.flat(), flatten(golden.exact_grid).data)).toBeNull();
    expect(Math.abs(out.pearson! - golden.pearson)).toBeLessThan(1e-4);
  });

  it('--no-exact omits exact and pearson; head sweeps have a head axis; text output', async () => {
    const out = jsonOf(await runCli([...base, '--hook', 'v', '--all-positions', '--no-exact', '--json'])) as unknown as AttribJson;
    expect(out.exact).toBeUndefined();
    expect(out.pearson).toBeUndefined();
    expect(out.axes).toEqual(['layer', 'head']);
    expect(out.grid).toHaveLength(2);
    expect(out.grid[0]).toHaveLength(2); // llama-tiny has 2 kv heads
    const text = await runCli([...base, '--hook', 'mlp_out']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Pearson r = /);
  });

  it('fails with one clear line without --answer or with two corruptions', async () => {
    const noAnswer = await runCli(['attrib', '--model', `${FIXTURES}llama-tiny`, '--clean-ids', '1,2,3', '--corrupt-ids', '1,2,4']);
    expect(noAnswer.code).toBe(2);
    expect(noAnswer.stderr).toMatch(/--answer is required/);
    const two = await runCli(['attrib', '--model', `${FIXTURES}llama-tiny`, '--clean-ids', '1,2,3', '--corrupt-ids', '1,2,4', '--noise-pos', '1', '--answer', '3']);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/exactly one corruption/);
  });
});
