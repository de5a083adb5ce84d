import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { obsprop } from '../../analysis/methods/obsprop.ts';
import { jsonOf, runCli } from '../../test/cli-capture.ts';
import { openModel } from '../open.ts';

interface ObsPropJson {
  observable: { positive: { id: number; token: string }[]; negative: { id: number; token: string }[] };
  ids: number[];
  value: number;
  heads: { layer: number; head: number; norm: number; effect: number; decoded: { top: { token: string }[] } }[];
  paths: { path: string; hook: string; norm: number }[];
}

describe('probescope obsprop', () => {
  it('ranks every head by feature norm beside its ablation effect, as the library does', async () => {
    const prompt = 'Tom went to the park. Then';
    const out = jsonOf(await runCli(['obsprop', '--model', 'builtin:stories260K', '--pos-tokens', ' he', '--neg-tokens', ' she', '--prompt', prompt, '--top-k', '3', '--path', 'L4H1,L2H0', '--json'])) as unknown as ObsPropJson;
    expect(out.observable.positive[0].token).toBe(' he');
    expect(out.observable.negative[0].token).toBe(' she');
    expect(out.heads).toHaveLength(40);
    const norms = out.heads.map((h) => h.norm);
    expect(norms).toEqual([...norms].sort((a, b) => b - a));
    expect(out.heads[0].decoded.top).toHaveLength(3);
    const model = await openModel('builtin:stories260K', createCpuBackend());
    const lib = await obsprop(model, { positive: [' he'], negative: [' she'], prompt: { text: prompt }, topK: 0, similarity: false });
    expect(out.value).toBeCloseTo(lib.value!, 6);
    expect(out.heads.map((h) => [h.layer, h.head])).toEqual(lib.ranking.map((h) => [h.layer, h.head]));
    expect(out.heads.map((h) => h.effect)).toEqual(lib.ranking.map((h) => h.effect));
    expect(out.paths).toEqual([expect.objectContaining({ path: 'L4H1 ← L2H0', hook: 'blocks.2.hook_resid_pre' })]);
  });

  it('names a token string that is not one token, and a malformed path', async () => {
    const split = await runCli(['obsprop', '--model', 'builtin:stories260K', '--pos-tokens', ' boy', '--json']);
    expect(split.code).not.toBe(0);
    expect(split.stderr).toMatch(/" boy" is not a single token: it encodes to 4 tokens/);
    const path = await runCli(['obsprop', '--model', 'builtin:stories260K', '--pos-ids', '5', '--path', 'L1X2', '--json']);
    expect(path.code).toBe(2);
    expect(path.stderr).toMatch(/--path: "L1X2" is neither a head/);
  });
});
