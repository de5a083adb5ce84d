/**
 * Method jobs on the built-in stories260K, in Node: the job passes the right options to its
 * method. (The views that run registry methods through the generic method job are tested in
 * method-job-views.test.ts.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Progress } from './contracts.ts';
import { createHandlers } from './handlers.ts';
import { WorkerJobContext } from './job-context.ts';
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
  it('neuron decoding gives top and bottom tokens', async () => {
    const r = await h.neurons({ layer: 1, neuron: 3, topK: 5, applyNormGain: false }, context());
    expect(r.output.top).toHaveLength(5);
    expect(r.gate).not.toBeNull();
  });

  it('head scores', async () => {
    const s = await h.headScores({ n: 12, batch: 2, seed: 0, prependBos: false, successor: true }, context());
    expect(s.induction).toHaveLength(5);
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
