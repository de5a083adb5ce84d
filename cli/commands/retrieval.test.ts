import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { buildNiahSamples, loadHaystack } from '../../analysis/methods/niah.ts';
import { retrievalScores } from '../../analysis/methods/retrieval.ts';
import { jsonOf, runCli } from '../../test/cli-capture.ts';
import { FIXTURES } from '../../test/reference.ts';
import { openModel } from '../open.ts';

interface RetrievalJson {
  samples: unknown[];
  counted: number;
  recall: number;
  scores: number[][];
  ranking: { layer: number; head: number; score: number }[];
  masking: { heads: string[]; baseline: number; top: number; random: number[] } | null;
}

describe('probescope retrieval', () => {
  it('scores NIAH samples on builtin:stories260K like the library and runs the masking check', async () => {
    const args = ['--context-lengths', '64', '--depths', '50', '--max-new-tokens', '4'];
    const out = jsonOf(await runCli(['retrieval', '--model', 'builtin:stories260K', '--backend', 'cpu-ref', ...args, '--top-k', '1', '--draws', '1', '--json'])) as unknown as RetrievalJson;
    const model = await openModel('builtin:stories260K', createCpuBackend());
    const samples = buildNiahSamples(model.tokenizer!, { haystack: await loadHaystack(), contextLengths: [64], depths: [50] });
    const lib = await retrievalScores(model, { samples, maxNewTokens: 4 });
    expect(out.samples).toHaveLength(3); // 3 default needles × 1 length × 1 depth
    expect(out.scores).toEqual(lib.scores);
    expect(out.scores).toHaveLength(5);
    expect(out.scores[0]).toHaveLength(8);
    expect(out.counted).toBe(lib.counted);
    expect(out.recall).toBe(lib.recall);
    expect(out.masking!.heads).toEqual([`L${lib.ranking[0].layer}H${lib.ranking[0].head}`]);
    expect(out.masking!.random).toHaveLength(1);
  });

  it('runs a token-level copy task on a model without a tokenizer, and asks for one otherwise', async () => {
    const out = jsonOf(await runCli(['retrieval', '--model', `${FIXTURES}llama-tiny`, '--copy-task', '--samples', '2', '--max-new-tokens', '3', '--json'])) as unknown as RetrievalJson;
    expect(out.samples).toHaveLength(2);
    expect(out.masking).toBeNull();
    const missing = await runCli(['retrieval', '--model', `${FIXTURES}llama-tiny`, '--json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/has no tokenizer.*task "copy"/);
  });
});
