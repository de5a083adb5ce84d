import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { headScores } from '../../analysis/methods/head-scores.ts';
import { jsonOf, runCli } from '../../test/cli-capture.ts';
import { FIXTURES } from '../../test/reference.ts';
import { openModel } from '../open.ts';

interface HeadsJson {
  previousToken: number[][];
  duplicateToken: number[][];
  induction: number[][];
  successor: number[][] | null;
  successorTasks: { name: string; used: boolean; pairs: number; missing: string[] }[];
}

describe('probescope heads', () => {
  it('prints [layer][head] grids equal to the library on builtin:stories260K, with skipped successor tasks', async () => {
    const out = jsonOf(await runCli(['heads', '--model', 'builtin:stories260K', '--backend', 'cpu-ref', '--n', '10', '--batch', '2', '--seed', '4', '--json'])) as unknown as HeadsJson;
    const model = await openModel('builtin:stories260K', createCpuBackend());
    const lib = await headScores(model, { n: 10, batch: 2, seed: 4 });
    expect(out.previousToken).toEqual(lib.previousToken);
    expect(out.duplicateToken).toEqual(lib.duplicateToken);
    expect(out.induction).toEqual(lib.induction);
    expect(out.previousToken).toHaveLength(5);
    expect(out.previousToken[0]).toHaveLength(8);
    expect(out.successorTasks.find((t) => t.name === 'days')).toMatchObject({ used: false });
  });

  it('gives successor scores when the tokenizer has the tasks (gpt2-tiny), and a text summary', async () => {
    const out = jsonOf(await runCli(['heads', '--model', `${FIXTURES}gpt2-tiny`, '--n', '8', '--json'])) as unknown as HeadsJson;
    expect(out.successor).toHaveLength(2);
    expect(out.successorTasks.filter((t) => t.used).reduce((a, t) => a + t.pairs, 0)).toBeGreaterThan(100);
    const text = await runCli(['heads', '--model', `${FIXTURES}gpt2-tiny`, '--n', '8']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/\nprevious-token +1 +L\dH\d +0\.\d{4}\n/);
    expect(text.stdout).toMatch(/\nsuccessor +1 +L\dH\d/);
  });

  it('fails with one clear line for a bad --n or a sequence longer than the context', async () => {
    const zero = await runCli(['heads', '--model', 'builtin:stories260K', '--backend', 'cpu-ref', '--n', '0']);
    expect(zero.code).toBe(2);
    expect(zero.stderr.trim()).toBe('probescope heads: --n: must be ≥ 2 (got 0)');
    const long = await runCli(['heads', '--model', `${FIXTURES}gpt2-tiny`, '--n', '40']);
    expect(long.code).toBe(1);
    expect(long.stderr.trim()).toBe('probescope heads: head scores: [r, r] with n = 40 needs 80 positions, but ' + `${FIXTURES}gpt2-tiny has a context of 64`);
  });
});
