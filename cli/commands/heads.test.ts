import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { headScores } from '../../analysis/methods/head-scores.ts';
import { jsonOf, runCli } from '../../test/cli-capture.ts';
import { FIXTURES } from '../../test/reference.ts';
import { openModel } from '../open.ts';

describe('probescope heads', () => {
  it('prints [layer][head] grids equal to the library on builtin:stories260K, with skipped successor tasks', async () => {
    const out = jsonOf(await runCli(['heads', '--model', 'builtin:stories260K', '--n', '10', '--batch', '2', '--seed', '4', '--json'])) as {
      previous_token: number[][];
      duplicate_token: number[][];
      induction: number[][];
      successor: { tasks: { name: string; used: boolean; missing: string[] }[] };
    };
    const model = await openModel('builtin:stories260K', createCpuBackend());
    const lib = await headScores(model, { n: 10, batch: 2, seed: 4 });
    expect(out.previous_token).toEqual(lib.previousToken);
    expect(out.duplicate_token).toEqual(lib.duplicateToken);
    expect(out.induction).toEqual(lib.induction);
    expect(out.previous_token).toHaveLength(5);
    expect(out.previous_token[0]).toHaveLength(8);
    expect(out.successor.tasks.find((t) => t.name === 'days')).toMatchObject({ used: false });
  });

  it('gives successor scores when the tokenizer has the tasks (gpt2-tiny), and a text summary', async () => {
    const out = jsonOf(await runCli(['heads', '--model', `${FIXTURES}gpt2-tiny`, '--n', '8', '--json'])) as { successor: { scores: number[][]; pairs: number } };
    expect(out.successor.scores).toHaveLength(2);
    expect(out.successor.pairs).toBeGreaterThan(100);
    const text = await runCli(['heads', '--model', `${FIXTURES}gpt2-tiny`, '--n', '8', '--top', '2']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/previous-token +L\dH\d 0\.\d{3} {2}L\dH\d 0\.\d{3}\n/);
    expect(text.stdout).toMatch(/successor +L\dH\d/);
  });

  it('fails with one clear line for a bad --n or a sequence longer than the context', async () => {
    const zero = await runCli(['heads', '--model', 'builtin:stories260K', '--n', '0']);
    expect(zero.code).toBe(2);
    expect(zero.stderr.trim()).toBe('probescope heads: --n: expected a positive integer, got 0');
    const long = await runCli(['heads', '--model', `${FIXTURES}gpt2-tiny`, '--n', '40']);
    expect(long.code).toBe(1);
    expect(long.stderr.trim()).toBe('probescope heads: head scores: [r, r] with n = 40 needs 80 positions, but ' + `${FIXTURES}gpt2-tiny has a context of 64`);
  });
});
