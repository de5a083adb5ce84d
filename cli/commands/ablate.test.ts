import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { ablateHeads } from '../../analysis/methods/ablation.ts';
import { headAblationSweep } from '../../analysis/methods/ablation-sweep.ts';
import { jsonOf, runCli } from '../../test/cli-capture.ts';
import { FIXTURES, loadReference } from '../../test/reference.ts';
import { openModel } from '../open.ts';

const IDS = [1, 403, 407, 261, 378, 432, 383, 286];

describe('probescope ablate', () => {
  it('zero-ablates a head on a fixture folder: logits and loss equal golden (b)', async () => {
    const ref = loadReference('llama-tiny');
    const golden = (ref.methods as unknown as { zero_ablation: { logits_last: number[]; loss: number } }).zero_ablation;
    const out = jsonOf(await runCli(['ablate', '--model', `${FIXTURES}llama-tiny`, '--ids', ref.inputs[0].input_ids.join(','), '--head', '1.2', '--mode', 'zero', '--json'])) as unknown as {
      logits: number[];
      loss: number;
    };
    expect(out.logits).toHaveLength(512);
    out.logits.forEach((v, i) => expect(Math.abs(v - golden.logits_last[i])).toBeLessThanOrEqual(1e-4));
    expect(Math.abs(out.loss - golden.loss)).toBeLessThanOrEqual(1e-4);
  });

  it.each(['mean', 'resample', 'uniform'])('%s-ablates heads on builtin:stories260K like the library', async (mode) => {
    const resample = [1, 365, 372, 261, 378, 432, 383, 286];
    const argv = ['ablate', '--model', 'builtin:stories260K', '--backend', 'cpu-ref', '--ids', IDS.join(','), '--head', '1.2', '--head', '3.1', '--mode', mode, '--json'];
    if (mode === 'resample') argv.push('--resample-ids', resample.join(','));
    const out = jsonOf(await runCli(argv)) as unknown as { logits: number[]; loss: number; kl: number; metric: number; heads: string[] };
    const model = await openModel('builtin:stories260K', createCpuBackend());
    const lib = await ablateHeads(model, { ids: IDS }, {
      heads: [{ layer: 1, head: 2 }, { layer: 3, head: 1 }],
      mode: mode as 'mean' | 'resample' | 'uniform',
      resampleFrom: mode === 'resample' ? { ids: resample } : undefined,
    });
    expect(out.heads).toEqual(['1.2', '3.1']);
    expect(out.logits).toEqual(Array.from(lib.logits));
    expect(out.loss).toBe(lib.loss);
    expect(out.kl).toBe(lib.kl);
    expect(out.kl).toBeGreaterThan(0);
  });

  it('--sweep prints [layer][head] grids equal to the library sweep', async () => {
    const out = jsonOf(await runCli(['ablate', '--model', 'builtin:stories260K', '--backend', 'cpu-ref', '--ids', IDS.join(','), '--sweep', '--mode', 'zero', '--answer', '261', '--json'])) as unknown as {
      metric: number[][];
      dla: number[][];
      selfRepair: number[][];
    };
    const model = await openModel('builtin:stories260K', createCpuBackend());
    const lib = await headAblationSweep(model, { ids: IDS }, { mode: 'zero', answer: 261 });
    expect(out.metric).toEqual(lib.metric);
    expect(out.dla).toEqual(lib.dla);
    expect(out.selfRepair).toEqual(lib.selfRepair);
    expect(out.metric).toHaveLength(5);
    expect(out.metric[0]).toHaveLength(8);
  });

  it('fails with one clear line for a malformed head, a missing --resample-ids or a bad mode', async () => {
    const cases: [string[], string][] = [
      [['--head', '1-2', '--mode', 'zero'], 'probescope ablate: --heads (0): a head is LAYER.HEAD, such as 1.2'],
      [['--head', '1.2', '--mode', 'resample'], 'probescope ablate: --resample-from-prompt / --resample-from-ids: mode "resample" needs "resampleFrom" (a prompt of the same token length)'],
      [['--head', '1.2', '--mode', 'half'], 'probescope ablate: --mode: must be one of zero, mean, resample, uniform (got "half")'],
      [['--head', '1.8', '--mode', 'zero'], 'probescope ablate: head 1.8: head 8 is outside [0, 8)'],
    ];
    for (const [extra, message] of cases) {
      const r = await runCli(['ablate', '--model', 'builtin:stories260K', '--ids', IDS.join(','), ...extra, '--json']);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toEqual([message]);
    }
  });
});
