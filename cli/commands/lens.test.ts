import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { logitLens } from '../../analysis/methods/logit-lens.ts';
import { run } from '../../analysis/model/run.ts';
import { jsonOf, runCli } from '../../test/cli-capture.ts';
import { FIXTURES } from '../../test/reference.ts';
import { openModel } from '../open.ts';

interface LensJson {
  ids: number[];
  positions: number[];
  layers: string[];
  /** [entry][position][k] */
  top: { id: number; token: string; prob: number; logprob: number }[][][];
  targets: { id: number; rank: number[][] }[];
}

describe('probescope lens', () => {
  it('prints L+1 entries for a prompt on builtin:stories260K, equal to the library, the last = the model output', async () => {
    const out = jsonOf(await runCli(['lens', '--model', 'builtin:stories260K', '--backend', 'cpu-ref', '--prompt', 'Once upon a time', '--pos=-1', '--top-k', '3', '--targets', '261', '--json'])) as unknown as LensJson;
    const model = await openModel('builtin:stories260K', createCpuBackend());
    expect(out.ids).toEqual([1, 403, 407, 261, 378]);
    expect(out.positions).toEqual([4]);
    expect(out.layers).toEqual(['L0 resid_pre', 'L1 resid_pre', 'L2 resid_pre', 'L3 resid_pre', 'L4 resid_pre', 'final']);
    const lib = await logitLens(model, { ids: out.ids }, { positions: [-1], topK: 3, targets: [261] });
    out.top.forEach((entry, e) => {
      const reading = lib.entries[e].readings[0];
      expect(entry[0]).toEqual(reading.top.map(({ id, token, prob, logprob }) => ({ id, token, prob, logprob })));
      expect(out.targets[0].rank[e][0]).toBe(reading.targets[0].rank);
    });
    const final = (await run(model, { ids: out.ids }, { logits: 'last' })).logits!.data;
    const best = final.indexOf(Math.max(...final));
    expect(out.top[5][0][0].id).toBe(best);
    expect(out.top[5][0][0].token).toBe(model.tokenizer!.tokenString(best));
  });

  it('reads token ids and a position on a fixture folder without a tokenizer', async () => {
    const out = jsonOf(await runCli(['lens', '--model', `${FIXTURES}llama-tiny`, '--ids', '5,9,100,7', '--pos', '1', '--top-k', '2', '--json'])) as unknown as LensJson;
    expect(out.positions).toEqual([1]);
    expect(out.layers).toHaveLength(3);
    // No tokenizer: tokens are shown as their ids.
    expect(out.top[0][0][0].token).toBe(String(out.top[0][0][0].id));
  });

  it('fails with one clear line on stderr for a position outside the input', async () => {
    const r = await runCli(['lens', '--model', 'builtin:stories260K', '--backend', 'cpu-ref', '--ids', '1,403', '--pos', '5', '--json']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual(['probescope lens: logit lens position 5 is outside a sequence of 2 tokens (use 0..1, or −1 for the last)']);
  });
});
