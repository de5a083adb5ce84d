/**
 * The registry methods the app's neuron, head-score, retrieval and probe views run, through the
 * worker's generic `method` job on the built-in stories260K, with the params those views send
 * (DLA, ablation, patching, LinearScope and ObsProp: method-job-views.test.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { STORY_NEEDLES } from '../../analysis/methods/niah.ts';
import { jobContext as context, storiesHandlers } from '../../test/stories-worker.ts';
import type { Progress } from './contracts.ts';
import type { JobHandlers } from './runner.ts';

let h: JobHandlers;

beforeAll(async () => {
  h = await storiesHandlers();
});

describe('the method job with the app views\' params', () => {
  it('neuron decoding gives top and bottom tokens, and the gate of a gated MLP', async () => {
    const r = (await h.method({ method: 'neuron-decoding', params: { layer: 1, neuron: 3, topK: 5, applyNormGain: false }, prompts: null }, context())).result as { output: { top: unknown[] }; gate: unknown };
    expect(r.output.top).toHaveLength(5);
    expect(r.gate).not.toBeNull();
  });

  it('head scores, with the first [r, r] sequence for the attention drill-down', async () => {
    const s = (await h.method({ method: 'head-scores', params: { n: 12, batch: 2, seed: 0, prependBos: false, successor: true }, prompts: null }, context())).result as { induction: unknown[]; sequence: { ids: number[] } };
    expect(s.induction).toHaveLength(5);
    expect(s.sequence.ids).toHaveLength(24);
    expect(s.sequence.ids.slice(0, 12)).toEqual(s.sequence.ids.slice(12));
  });

  it('retrieval scores on a small NIAH set, counted in passes; the app\'s default needles are recalled', async () => {
    const progress: Progress[] = [];
    const params = { contextLengths: [64], depths: [0, 100], needles: [STORY_NEEDLES[0]], maxNewTokens: 8, threshold: 0.1 };
    const r = (await h.method({ method: 'retrieval-heads', params, prompts: null }, context(progress))).result as { samples: { depth: number }[]; counted: number; scores: unknown[] };
    expect(r.samples.map((s) => s.depth)).toEqual([0, 100]);
    // The app's default needles (STORY_NEEDLES) are ones stories260K can recall.
    expect(r.counted).toBeGreaterThan(0);
    expect(r.scores).toHaveLength(5);
    expect(progress.at(-1)).toMatchObject({ unit: 'passes' });
    expect(progress.at(-1)!.done).toBe(progress.at(-1)!.total);
  });

  it('probes by layer on the built-in dataset, and names a broken dataset file', async () => {
    const params = { hook: 'resid_post', position: 'last', method: 'mean_difference', testFraction: 0.3, seed: 0 };
    const r = (await h.method({ method: 'probe', params, prompts: null, dataset: { kind: 'builtin' } }, context())).result as { layers: unknown[] };
    expect(r.layers).toHaveLength(5);
    await expect(
      h.method({ method: 'probe', params: { ...params, method: 'logistic' }, prompts: null, dataset: { kind: 'json', name: 'mine.json', text: '{"examples": [{"label": 1}]}' } }, context()),
    ).rejects.toThrow(/mine\.json: invalid at examples/);
  });
});
