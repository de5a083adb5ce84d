import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { directLogitAttribution } from '../../analysis/methods/dla.ts';
import { jsonOf, runCli } from '../../test/cli-capture.ts';
import { FIXTURES, loadReference } from '../../test/reference.ts';
import { openModel } from '../open.ts';

interface DlaJson {
  components: { name: string; value: number }[];
  total: number;
  metric: number;
  answer: number;
  wrong: number | null;
  unembed_bias: number;
}

describe('probescope dla', () => {
  it('attributes a logit difference on builtin:stories260K: components sum to the metric and equal the library', async () => {
    const ids = [1, 403, 407, 261, 378];
    const out = jsonOf(await runCli(['dla', '--model', 'builtin:stories260K', '--ids', ids.join(','), '--answer', '261', '--wrong', '286', '--json'])) as unknown as DlaJson;
    const model = await openModel('builtin:stories260K', createCpuBackend());
    const lib = await directLogitAttribution(model, { ids }, { answer: 261, wrong: 286 });
    expect(out.components).toEqual(lib.components);
    expect(out.metric).toBe(lib.metric);
    expect([out.answer, out.wrong]).toEqual([261, 286]);
    expect(Math.abs(out.components.reduce((a, c) => a + c.value, 0) + out.unembed_bias - out.metric)).toBeLessThanOrEqual(1e-4);
    expect(out.components[0].name).toBe('embed');
    expect(out.components.at(-1)!.name).toBe('ln_final.bias');
  });

  it('matches the gpt2-tiny golden (d) through a fixture folder', async () => {
    const ref = loadReference('gpt2-tiny');
    const dla = (ref.methods as unknown as { dla: { target_token: number; embed: number; pos_embed: number; mlp: number[] } }).dla;
    const out = jsonOf(await runCli(['dla', '--model', `${FIXTURES}gpt2-tiny`, '--ids', ref.inputs[0].input_ids.join(','), '--answer', String(dla.target_token), '--json'])) as unknown as DlaJson;
    const value = (name: string) => out.components.find((c) => c.name === name)!.value;
    expect(Math.abs(value('embed') - dla.embed)).toBeLessThanOrEqual(1e-4);
    expect(Math.abs(value('pos_embed') - dla.pos_embed)).toBeLessThanOrEqual(1e-4);
    expect(Math.abs(value('L1.mlp') - dla.mlp[1])).toBeLessThanOrEqual(1e-4);
  });

  it('fails with one clear line for an answer outside the vocabulary', async () => {
    const r = await runCli(['dla', '--model', 'builtin:stories260K', '--ids', '1,403', '--answer', '512', '--json']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual(['probescope dla: token id 512 is outside the vocabulary [0, 512)']);
  });
});
