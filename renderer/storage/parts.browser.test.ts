import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProbescopeDb } from './db.ts';
import {
  deletePart,
  getExperimentResult,
  listParts,
  pinFigure,
  saveDataset,
  saveExperiment,
  saveExperimentWithFigure,
  saveNotebook,
  saveProbe,
  savePrompt,
} from './parts.ts';
import { createProject, getProject } from './projects.ts';
import { dropDb, freshDb } from './test-support.ts';

let db: ProbescopeDb;
beforeEach(() => {
  db = freshDb();
});
afterEach(() => dropDb(db));

describe('experiments', () => {
  it('stores results with typed arrays as typed arrays, bit for bit, apart from the experiment row', async () => {
    const model = { name: 'stories260K', hash: null };
    const p = await createProject(db, { name: 'P', model });
    const patterns = new Float32Array([0.5, NaN, -Infinity, -0, 3.4e38]);
    const ranks = new Int32Array([1, 2, 3]);
    const exp = await saveExperiment(db, p.id, {
      kind: 'logit-lens',
      label: 'lens on story',
      params: { ids: [1, 2, 3], topK: 5 },
      result: { patterns, ranks, rows: [{ token: 'a', prob: 0.5 }] },
    });
    expect(exp.model).toEqual(model); // defaults to the project's model

    const row = await db.experiments.get(exp.id);
    expect(row).not.toHaveProperty('result');
    const stored = (await getExperimentResult(db, exp.id)) as { patterns: Float32Array; ranks: Int32Array };
    expect(stored.patterns).toBeInstanceOf(Float32Array);
    expect(stored.ranks).toBeInstanceOf(Int32Array);
    expect(new Uint8Array(stored.patterns.buffer)).toEqual(new Uint8Array(patterns.buffer));
    expect(Object.is(stored.patterns[3], -0)).toBe(true);
  });

  it('stores a view as just its own bytes, not its whole buffer', async () => {
    const p = await createProject(db, { name: 'P' });
    const big = new Float32Array(1 << 20);
    big[10] = 7;
    const exp = await saveExperiment(db, p.id, { kind: 'k', params: null, result: big.subarray(10, 12) });
    const stored = (await getExperimentResult(db, exp.id)) as Float32Array;
    expect(stored.buffer.byteLength).toBe(8);
    expect([...stored]).toEqual([7, 0]);
  });

  it('refuses values that would not survive an export, naming the field', async () => {
    const p = await createProject(db, { name: 'P' });
    await expect(saveExperiment(db, p.id, { kind: 'k', params: { when: new Date() }, result: null })).rejects.toThrow(
      /experiment "k" params: when is a Date/,
    );
    await expect(saveExperiment(db, p.id, { kind: 'k', params: null, result: { a: [1, () => 2] } })).rejects.toThrow(
      /experiment "k" result: a\[1\] is a function/,
    );
    await expect(saveExperiment(db, p.id, { kind: 'k', params: null, result: JSON.parse('{"x":{"__proto__":{"y":1}}}') })).rejects.toThrow(
      /x.__proto__: the key "__proto__" is not allowed/,
    );
    expect(await db.experiments.count()).toBe(0);
  });

  it('bumps the project and deletes an experiment with its result, unlinking its figures', async () => {
    const p = await createProject(db, { name: 'P' });
    await new Promise((r) => setTimeout(r, 2));
    const exp = await saveExperiment(db, p.id, { kind: 'k', params: null, result: new Float64Array([1]) });
    expect((await getProject(db, p.id))!.updatedAt).toBeGreaterThan(p.updatedAt);
    const fig = await pinFigure(db, p.id, { title: 'f', figure: { data: [] }, experimentId: exp.id });
    await deletePart(db, 'experiments', p.id, exp.id);
    expect(await getExperimentResult(db, exp.id)).toBeUndefined();
    expect((await db.figures.get(fig.id))?.experimentId).toBeNull();
  });

  it('saves a run with its figure in one transaction', async () => {
    const p = await createProject(db, { name: 'P' });
    const { experiment, figure } = await saveExperimentWithFigure(db, p.id, {
      kind: 'logitLens', label: 'Logit lens', params: { topK: 5 }, result: { ranks: new Int32Array([1, 2]) },
      figure: { title: 'Logit lens', figure: { data: [{ type: 'heatmap', z: new Float32Array([0.5]) }], layout: {} } },
    });
    expect(figure.experimentId).toBe(experiment.id);
    expect(await getExperimentResult(db, experiment.id)).toEqual({ ranks: new Int32Array([1, 2]) });
    await expect(
      saveExperimentWithFigure(db, p.id, { kind: 'k', params: null, result: null, figure: { title: 'f', figure: { bad: () => 1 } } }),
    ).rejects.toThrow(/experiment "k" with its figure: figure: bad is a function/);
    expect(await db.experiments.count()).toBe(1);
  });

  it('refuses a figure linked to another project\'s experiment', async () => {
    const a = await createProject(db, { name: 'A' });
    const b = await createProject(db, { name: 'B' });
    const exp = await saveExperiment(db, a.id, { kind: 'k', params: null, result: null });
    await expect(pinFigure(db, b.id, { title: 'f', figure: {}, experimentId: exp.id })).rejects.toThrow(/no experiment .* in this project/);
  });
});

describe('editable parts', () => {
  it('saves, updates in place (keeping createdAt) and lists prompts, datasets, probes, notebooks', async () => {
    const p = await createProject(db, { name: 'P' });
    const prompt = await savePrompt(db, p.id, { name: 'story', text: 'Once upon a time' });
    const updated = await savePrompt(db, p.id, { id: prompt.id, name: 'story', text: 'Once upon a time there was' });
    expect(updated.createdAt).toBe(prompt.createdAt);
    expect((await listParts(db, 'prompts', p.id)).map((r) => r.text)).toEqual(['Once upon a time there was']);

    await saveDataset(db, p.id, { name: 'he/she', items: [{ text: 'He went', label: 1 }, { text: 'She went', label: 0 }] });
    await saveProbe(db, p.id, { name: 'layer 3', probe: { weights: new Float32Array([1, 2]), bias: 0.5 } });
    await saveNotebook(db, p.id, { name: 'nb', notebook: { version: 1, cells: [{ kind: 'markdown', text: '# hi' }] } });
    expect(await listParts(db, 'datasets', p.id)).toHaveLength(1);
    expect(((await listParts(db, 'probes', p.id))[0].probe as { weights: Float32Array }).weights).toBeInstanceOf(Float32Array);
    expect(await listParts(db, 'notebooks', p.id)).toHaveLength(1);
  });

  it('will not update a part of another project', async () => {
    const a = await createProject(db, { name: 'A' });
    const b = await createProject(db, { name: 'B' });
    const prompt = await savePrompt(db, a.id, { name: 'x', text: 'y' });
    await expect(savePrompt(db, b.id, { id: prompt.id, name: 'x', text: 'hijack' })).rejects.toThrow(/no such prompt/);
    expect((await db.prompts.get(prompt.id))?.text).toBe('y');
  });

  it('validates dataset labels', async () => {
    const p = await createProject(db, { name: 'P' });
    await expect(saveDataset(db, p.id, { name: 'd', items: [{ text: 'a', label: NaN }] })).rejects.toThrow(
      /dataset "d": items\[0\].label must be a string, a finite number or null/,
    );
  });
});
