import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { obsprop } from '../../analysis/methods/obsprop.ts';
import { jsonOf, runCli } from '../../test/cli-capture.ts';
import { openModel } from '../open.ts';

interface ObsPropJson {
  observable: { positive: string[]; negative: string[] };
  value: number;
  ranking: { head: string; norm: number; effect: number; promotes: string[] }[];
  paths: { path: string; hook: string; norm: number }[];
}

describe('probescope obsprop', () => {
  it('ranks every head by feature norm beside its ablation effect, as the library does', async () => {
    const prompt = 'Tom went to the park. Then';
    const out = jsonOf(await runCli(['obsprop', '--model', 'builtin:stories260K', '--backend', 'cpu-ref', '--pos-tokens', ' he', '--neg-tokens', ' she', '--prompt', prompt, '--top-k', '3', '--paths', '["L4H1,L2H0"]', '--json'])) as unknown as ObsPropJson;
    expect(out.observable).toEqual({ positive: [' he'], negative: [' she'] });
    expect(out.ranking).toHaveLength(40);
    const norms = out.ranking.map((h) => h.norm);
    expect(norms).toEqual([...norms].sort((a, b) => b - a));
    expect(out.ranking[0].promotes).toHaveLength(3);
    const model = await openModel('builtin:stories260K', createCpuBackend());
    const lib = await obsprop(model, { positive: [' he'], negative: [' she'], prompt: { text: prompt }, topK: 0, similarity: false });
    expect(out.value).toBeCloseTo(lib.value!, 6);
    expect(out.ranking.map((h) => h.head)).toEqual(lib.ranking.map((h) => `L${h.layer}H${h.head}`));
    expect(out.ranking.map((h) => h.effect)).toEqual(lib.ranking.map((h) => h.effect));
    expect(out.paths).toEqual([expect.objectContaining({ path: 'L4H1 ← L2H0', hook: 'blocks.2.hook_resid_pre' })]);
  });

  it('names a token string that is not one token, and a malformed path', async () => {
    const split = await runCli(['obsprop', '--model', 'builtin:stories260K', '--backend', 'cpu-ref', '--prompt', 'Then', '--pos-tokens', ' boy', '--json']);
    expect(split.code).toBe(2);
    expect(split.stderr.trim()).toMatch(/^probescope obsprop: --positive: “ boy” is 4 tokens: .*not one token/);
    const path = await runCli(['obsprop', '--model', 'builtin:stories260K', '--backend', 'cpu-ref', '--prompt', 'Then', '--pos-ids', '5', '--paths', '["L1X2"]', '--json']);
    expect(path.code).toBe(2);
    expect(path.stderr).toMatch(/--paths \(0\): a path is nodes from the logits backwards/);
  });
});
