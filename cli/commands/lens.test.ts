import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { logitLens } from '../../analysis/methods/logit-lens.ts';
import { run } from '../../analysis/model/run.ts';
import { jsonOf, runCli } from '../../test/cli-capture.ts';
import { FIXTURES } from '../../test/reference.ts';
import { openModel } from '../open.ts';

interface LensJson {
  ids: number[];
  pos: number;
  layers: { layer: number; top: { id: number; token: string | null; prob: number; logprob: number }[]; targets?: { id: number; rank: number; logit: number }[] }[];
}

describe('probescope lens', () => {
  it('prints L+1 entries for a prompt on builtin:stories260K, equal to the library, the last = the model output', async () => {
    const out = jsonOf(await runCli(['lens', '--model', 'builtin:stories260K', '--prompt', 'Once upon a time', '--top-k', '3', '--targets', '261', '--json'])) as unknown as LensJson;
    const model = await openModel('builtin:stories260K', createCpuBackend());
    expect(out.ids).toEqual([1, 403, 407, 261, 378]);
    expect(out.pos).toBe(4);
    expect(out.layers.map((l) => l.layer)).toEqual([0, 1, 2, 3, 4, 5]);
    const lib = await logitLens(model, { ids: out.ids }, { positions: [-1], topK: 3, targets: [261] });
    out.layers.forEach((l, e) => {
      const reading = lib.entries[e].readings[0];
      expect(l.top).toEqual(reading.top.map(({ id, token, prob, logprob }) => ({ id, token, prob, logprob })));
      expect(l.targets![0].rank).toBe(reading.targets[0].rank);
      expect(Object.keys(l.top[0]).sort()).toEqual(['id', 'logprob', 'prob', 'token']);
    });
    const final = (await run(model, { ids: out.ids }, { logits: 'last' })).logits!.data;
    const best = final.indexOf(Math.max(...final));
    expect(out.layers[5].top[0].id).toBe(best);
    expect(out.layers[5].top[0].token).toBe(model.tokenizer!.tokenString(best));
  });

  it('reads token ids and a position on a fixture folder without a tokenizer', async () => {
    const out = jsonOf(await runCli(['lens', '--model', `${FIXTURES}llama-tiny`, '--ids', '5,9,100,7', '--pos', '1', '--top-k', '2', '--json'])) as unknown as LensJson;
    expect(out.pos).toBe(1);
    expect(out.layers).toHaveLength(3);
    expect(out.layers[0].top[0].token).toBeNull();
  });

  it('fails with one clear line on stderr for a position outside the input', async () => {
    const r = await runCli(['lens', '--model', 'builtin:stories260K', '--ids', '1,403', '--pos', '5', '--json']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual(['probescope lens: logit lens position 5 is outside a sequence of 2 tokens (use 0..1, or −1 for the last)']);
  });
});
