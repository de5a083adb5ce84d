import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { directLogitAttribution } from '../../analysis/methods/dla.ts';
import { jsonOf, runCli } from '../../test/cli-capture.ts';
import { FIXTURES, loadReference } from '../../test/reference.ts';
import { openModel } from '../open.ts';

interface DlaJson {
  ids: number[];
  components: { name: string; value: number }[];
  total: number;
  metric: number;
  answer: { id: number; token: string };
  wrong: { id: number; token: string } | null;
  unembedBias: number;
}

describe('probescope dla', () => {
  it('attributes a logit difference on builtin:stories260K: components sum to the metric and equal the library', async () => {
    const ids = [1, 403, 407, 261, 378];
    const out = jsonOf(await runCli(['dla', '--model', 'builtin:stories260K', '--backend', 'cpu-ref', '--ids', ids.join(','), '--answer', '261', '--wrong', '286', '--json'])) as unknown as DlaJson;
    const model = await openModel('builtin:stories260K', createCpuBackend());
    const lib = await directLogitAttribution(model, { ids }, { answer: 261, wrong: 286 });
    expect(out.ids).toEqual(ids);
    expect(out.components).toEqual(lib.components.map(({ name, value }) => ({ name, value })));
    expect(out.metric).toBe(lib.metric);
    expect([out.answer, out.wrong]).toEqual([{ id: 261, token: ' a' }, { id: 286, token: ' was' }]);
    expect(Math.abs(out.components.reduce((a, c) => a + c.value, 0) + out.unembedBias - out.metric)).toBeLessThanOrEqual(1e-4);
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

  it('prints the metric\'s tokens with ids and the components largest |value| first', async () => {
    const r = await runCli(['dla', '--model', 'builtin:stories260K', '--backend', 'cpu-ref', '--ids', '1,403,407,261', '--answer', '378', '--wrong', '286']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('prompt (4 tokens): 0: "<s>" (1)  1: " Once" (403)  2: " upon" (407)  3: " a" (261)');
    expect(lines).toContain('metric: logit[" time" (378)] − logit[" was" (286)] at position 3');
    const header = lines.findIndex((l) => l.startsWith('component'));
    const values = lines.slice(header + 1, header + 1 + 52).map((l) => Math.abs(Number(l.trim().split(/\s+/)[1])));
    expect(values).toHaveLength(52);
    expect(values).toEqual([...values].sort((a, b) => b - a));
  });

  it('fails with one clear line for an answer outside the vocabulary', async () => {
    const r = await runCli(['dla', '--model', 'builtin:stories260K', '--backend', 'cpu-ref', '--ids', '1,403', '--answer', '512', '--json']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual(['probescope dla: params.answer: token id 512 is outside the vocabulary: ids run from 0 to 511']);
  });
});
