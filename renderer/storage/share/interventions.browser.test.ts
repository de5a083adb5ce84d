/**
 * A pinned run's interventions, and the working prompt's intervention list (each entry on or
 * off), in IndexedDB and in .probescope files: saved as given, exported and imported unchanged,
 * absent where never recorded (files written before stay loadable), and a malformed entry in a
 * file is refused by name.
 */
import { unzipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readProjectContents } from '../contents.ts';
import type { ProbescopeDb } from '../db.ts';
import { listParts, saveExperiment, saveExperimentWithFigure, savePrompt } from '../parts.ts';
import { createProject, listProjects } from '../projects.ts';
import { dropDb, freshDb } from '../test-support.ts';
import { exportProject } from './export.ts';
import { importProject } from './import.ts';
import { makeZip } from './zip-test-support.ts';

const INTERVENTIONS = [
  { hook: 'blocks.3.attn.hook_z', op: 'zero' as const, head: 2 },
  { hook: 'blocks.1.mlp.hook_post', op: 'scale' as const, factor: 0.5, neuron: [5, 7], pos: 3 },
  { hook: 'blocks.0.hook_resid_pre', op: 'replace' as const, source: 'corrupted prompt' },
];

let db: ProbescopeDb;
beforeEach(() => {
  db = freshDb();
});
afterEach(() => dropDb(db));

async function projectWithRuns() {
  const p = await createProject(db, { name: 'Intervened', model: null });
  await saveExperimentWithFigure(db, p.id, {
    kind: 'logit-lens', label: 'Lens, ablated', params: { ids: [1, 2] }, result: { x: 1 }, interventions: INTERVENTIONS,
    figure: { title: 'Lens, ablated', figure: { data: [], layout: {} } },
  });
  await saveExperiment(db, p.id, { kind: 'logit-lens', label: 'Lens, plain', params: {}, result: null, interventions: [] });
  await saveExperiment(db, p.id, { kind: 'logit-lens', label: 'Lens, before interventions were recorded', params: {}, result: null });
  await savePrompt(db, p.id, { name: 'Working prompt', text: 'Lily went', corrupted: 'Tim went', interventions: INTERVENTIONS.map((intervention, i) => ({ enabled: i !== 1, intervention })) });
  await savePrompt(db, p.id, { name: 'old prompt', text: 'x' });
  return p;
}

const byLabel = (rows: readonly { label: string; interventions?: unknown }[]) => Object.fromEntries(rows.map((r) => [r.label, r.interventions]));

describe('interventions of pinned runs', () => {
  it('are stored with the run and survive export and import', async () => {
    const p = await projectWithRuns();
    const stored = byLabel((await readProjectContents(db, p.id)).experiments);
    expect(stored).toEqual({ 'Lens, ablated': INTERVENTIONS, 'Lens, plain': [], 'Lens, before interventions were recorded': undefined });
    expect(Object.hasOwn((await readProjectContents(db, p.id)).experiments.find((e) => e.label.startsWith('Lens, before'))!, 'interventions')).toBe(false);

    const { bytes } = await exportProject(db, p.id);
    const document = JSON.parse(new TextDecoder().decode(unzipSync(bytes)['project.json'])) as { experiments: { label: string; interventions?: unknown }[] };
    expect(byLabel(document.experiments)).toEqual(stored);
    const { project } = await importProject(db, bytes);
    expect(byLabel((await readProjectContents(db, project.id)).experiments)).toEqual(stored);

    // The working prompt's list, each entry on or off, comes back with the prompt.
    const prompts = async (id: string) => Object.fromEntries((await listParts(db, 'prompts', id)).map((r) => [r.name, r.interventions]));
    const list = INTERVENTIONS.map((intervention, i) => ({ enabled: i !== 1, intervention }));
    expect(await prompts(p.id)).toEqual({ 'Working prompt': list, 'old prompt': undefined });
    expect(await prompts(project.id)).toEqual({ 'Working prompt': list, 'old prompt': undefined });
  });

  it('are refused by name when a file holds a malformed one, and nothing is imported', async () => {
    const p = await projectWithRuns();
    const files = unzipSync((await exportProject(db, p.id)).bytes);
    const document = JSON.parse(new TextDecoder().decode(files['project.json'])) as { experiments: { interventions?: unknown[] }[] };
    document.experiments.find((e) => e.interventions?.length)!.interventions![1] = { hook: 'blocks.1.mlp.hook_post', op: 'scale' };
    const before = (await listProjects(db)).length;
    await expect(importProject(db, makeZip({ ...files, 'project.json': JSON.stringify(document) }))).rejects.toThrow(/experiments\.\d\.interventions\.1: op "scale" needs "factor"/);
    expect((await listProjects(db)).length).toBe(before);
  });

  it('refuses to save a run with a malformed intervention', async () => {
    const p = await createProject(db, { name: 'Bad', model: null });
    await expect(saveExperiment(db, p.id, { kind: 'k', params: {}, result: null, interventions: [{ hook: '', op: 'zero' }] })).rejects.toThrow(/experiment "k": invalid intervention at 0\.hook/);
    await expect(savePrompt(db, p.id, { name: 'w', text: '', interventions: [{ enabled: true, intervention: { hook: 'h', op: 'add' } }] })).rejects.toThrow(/prompt "w": invalid intervention at 0: op "add" needs "vector"/);
  });
});
