/**
 * Every method job on the built-in stories260K, in Node: the job passes the right options to
 * its method, merges what it splits (the per-layer ablation sweep), and stops when cancelled.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Progress } from './contracts.ts';
import { createHandlers } from './handlers.ts';
import { JobCancelledError, WorkerJobContext } from './job-context.ts';
import type { JobHandlers } from './runner.ts';
import { EngineSession } from './session.ts';

const folder = path.resolve(import.meta.dirname, '../../models/stories260K');
const files = readdirSync(folder).map((name) => ({ path: name, file: new Blob([readFileSync(path.join(folder, name))]) }));

let h: JobHandlers;
let clean: number[];
let corrupted: number[];
const context = (progress: Progress[] = []) => new WorkerJobContext((p) => progress.push(p));

beforeAll(async () => {
  h = createHandlers(new EngineSession());
  await h.loadModel({ source: { kind: 'files', label: 'stories260K', files }, backend: 'cpu' }, context());
  const ids = async (text: string) => (await h.tokenize({ text, prependBos: true }, context())).tokens.map((t) => t.id);
  clean = await ids('Lily and Tim went to the park. Lily gave a ball to');
  corrupted = await ids('Lily and Tim went to the park. Tim gave a ball to');
  expect(corrupted).toHaveLength(clean.length);
});

describe('method jobs on stories260K', () => {
  it('DLA components sum to the metric', async () => {
    const r = await h.dla({ ids: clean, perSource: false }, context());
    expect(r.total + r.unembedBias).toBeCloseTo(r.metric, 3);
    expect(r.heads).toHaveLength(5);
  });

  it('neuron decoding gives top and bottom tokens', async () => {
    const r = await h.neurons({ layer: 1, neuron: 3, topK: 5, applyNormGain: false }, context());
    expect(r.output.top).toHaveLength(5);
    expect(r.gate).not.toBeNull();
  });

  it('the ablation sweep runs layer by layer and merges into [layer][head] grids', async () => {
    const progress: Progress[] = [];
    const r = await h.ablationSweep({ ids: clean, mode: 'zero' }, context(progress));
    expect(r.layers).toEqual([0, 1, 2, 3, 4]);
    expect(r.totalEffect).toHaveLength(5);
    expect(r.totalEffect[4]).toHaveLength(8);
    expect(progress.filter((p) => p.unit === 'layers').map((p) => p.done)).toContain(5);
    const one = await h.ablateHead({ ids: clean, mode: 'zero', layer: 2, head: 3, topK: 5 }, context());
    expect(one.metric - one.cleanMetric).toBeCloseTo(r.totalEffect[2][3], 4);
    expect(one.ablatedTop).toHaveLength(5);
  });

  it('patching the whole residual stream at layer 0 restores the clean metric', async () => {
    const r = await h.patching({ clean, corruption: { kind: 'tokens', ids: corrupted }, hook: 'resid_pre', byPosition: true, direction: 'denoising' }, context());
    expect(r.shape).toEqual([5, clean.length]);
    // Every position patched at layer 0 sits in row 0; the changed position restores the clean metric.
    const changed = clean.findIndex((id, i) => id !== corrupted[i]);
    expect(r.normalized[changed]).toBeCloseTo(1, 2);
  });

  it('cancels a patching sweep between passes', async () => {
    const ctx = context();
    const job = h.patching({ clean, corruption: { kind: 'tokens', ids: corrupted }, hook: 'z', byPosition: true, direction: 'denoising' }, ctx);
    setTimeout(() => ctx.cancel(), 5);
    await expect(job).rejects.toBeInstanceOf(JobCancelledError);
  });

  it('path patching to the logits and attribution patching give [layer, head] / [layer, pos] grids', async () => {
    const corruption = { kind: 'tokens' as const, ids: corrupted };
    const p = await h.pathPatching({ clean, corruption, receiver: 'logits', recomputeMlps: false }, context());
    expect(p.shape).toEqual([5, 8]);
    const a = await h.attribution({ clean, corruption, hook: 'resid_pre', byPosition: true }, context());
    expect(a.exact).not.toBeNull();
    expect(a.attribution).toHaveLength(5 * clean.length);
  });

  it('head scores, LinearScope and ObsProp', async () => {
    const s = await h.headScores({ n: 12, batch: 2, seed: 0, prependBos: false, successor: true }, context());
    expect(s.induction).toHaveLength(5);
    const l = await h.linearScope({ ids: clean, mode: 'secant', decodeTopK: 3 }, context());
    expect(l.replay).toBeCloseTo(l.logit, 3);
    expect(l.grid).toHaveLength(clean.length);
    const o = await h.obsprop({ positive: [' he'], negative: [' she'], ids: clean, scales: 'prompt', effects: 'zero', topK: 3, couplingHeads: 6 }, context());
    expect(o.coupling).toHaveLength(6);
    expect(o.coupling[0][0]).toBeCloseTo(1, 6);
  });

  it('retrieval scores on a small NIAH set, counted by samples; the default needles are recalled', async () => {
    const progress: Progress[] = [];
    const r = await h.retrieval({ contextLengths: [64], depths: [0, 100], needles: [0], maxNewTokens: 8, threshold: 0.1 }, context(progress));
    expect(r.samples).toHaveLength(2);
    expect(r.settings.map((s) => s.depth)).toEqual([0, 100]);
    // The app's default needles (STORY_NEEDLES) are ones stories260K can recall.
    expect(r.counted).toBeGreaterThan(0);
    expect(r.scores).toHaveLength(5);
    expect(progress.at(-1)).toMatchObject({ unit: 'samples', done: 2, total: 2 });
  });

  it('probes by layer on the built-in dataset, and names a broken dataset file', async () => {
    const r = await h.probe({ dataset: { kind: 'builtin' }, hook: 'resid_post', position: 'last', method: 'mean_difference', testFraction: 0.3, seed: 0 }, context());
    expect(r.layers).toHaveLength(5);
    await expect(
      h.probe({ dataset: { kind: 'json', name: 'mine.json', text: '{"examples": [{"label": 1}]}' }, hook: 'resid_post', position: 'last', method: 'logistic', testFraction: 0.3, seed: 0 }, context()),
    ).rejects.toThrow(/mine\.json: invalid at examples/);
  });
});
