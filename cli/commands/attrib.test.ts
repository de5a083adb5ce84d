import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { run } from '../../analysis/model/run.ts';
import { argmax } from '../../analysis/model/sampling.ts';
import { jsonOf, runCli } from '../../test/cli-capture.ts';
import { FIXTURES, flatten, loadReference, worstMismatch } from '../../test/reference.ts';
import { openModel } from '../open.ts';

interface AttribJson {
  attribution: number[];
  exact: number[] | null;
  pearson: number | null;
  axes: string[];
  shape: number[];
  answer: { id: number };
  wrong: { id: number } | null;
}

describe('probescope attrib', () => {
  const ref = loadReference('llama-tiny');
  const g = ref.methods.activation_patching as { corrupted_input_ids: number[]; clean_token: number; corrupted_token: number };
  const golden = ref.methods.attribution_patching as { grid: number[][]; exact_grid: number[][]; pearson: number };
  const pair = ['--model', `${FIXTURES}llama-tiny`, '--clean-ids', ref.inputs[0].input_ids.join(','), '--corrupt-ids', g.corrupted_input_ids.join(',')];
  const base = ['attrib', ...pair, '--answer', String(g.clean_token), '--wrong', String(g.corrupted_token)];

  it('reproduces golden (g) with --json: attribution, exact and pearson', async () => {
    const out = jsonOf(await runCli([...base, '--hook', 'resid_pre', '--json'])) as unknown as AttribJson;
    expect(out.axes).toEqual(['layer', 'pos']);
    expect(worstMismatch(out.attribution, flatten(golden.grid).data)).toBeNull();
    expect(worstMismatch(out.exact!, flatten(golden.exact_grid).data)).toBeNull();
    expect(Math.abs(out.pearson! - golden.pearson)).toBeLessThan(1e-4);
  });

  it('--no-exact leaves exact and pearson empty; head sweeps have a head axis; text output', async () => {
    const out = jsonOf(await runCli([...base, '--hook', 'v', '--all-positions', '--no-exact', '--json'])) as unknown as AttribJson;
    expect(out.exact).toBeNull();
    expect(out.pearson).toBeNull();
    expect(out.axes).toEqual(['layer', 'head']);
    expect(out.shape).toEqual([2, 2]); // llama-tiny: 2 layers, 2 kv heads
    const text = await runCli([...base, '--hook', 'mlp_out', '--view', 'comparison']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Pearson r = /);
  });

  it('defaults the metric to the clean and corrupted top tokens at the last position', async () => {
    const out = jsonOf(await runCli(['attrib', ...pair, '--hook', 'resid_pre', '--no-exact', '--json'])) as unknown as AttribJson;
    const model = await openModel(`${FIXTURES}llama-tiny`, createCpuBackend());
    const top = async (ids: number[]) => {
      const logits = (await run(model, { ids }, { logits: 'last' })).logits!.data;
      return argmax(logits);
    };
    const [clean, corrupted] = [await top(ref.inputs[0].input_ids), await top(g.corrupted_input_ids)];
    expect(out.answer.id).toBe(clean);
    expect(out.wrong === null ? null : out.wrong.id).toBe(clean === corrupted ? null : corrupted);
  });

  it('fails with one clear line with two corruptions', async () => {
    const two = await runCli(['attrib', '--model', `${FIXTURES}llama-tiny`, '--clean-ids', '1,2,3', '--corrupt-ids', '1,2,4', '--noise-pos', '1', '--answer', '3']);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/exactly one corruption/);
  });
});
