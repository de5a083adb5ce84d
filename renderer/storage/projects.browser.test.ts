import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProbescopeDb } from './db.ts';
import { MissingRecordError } from './errors.ts';
import { getExperimentResult, listParts, pinFigure, saveExperiment, saveNotebook, savePrompt } from './parts.ts';
import {
  createProject,
  deleteProject,
  duplicateProject,
  getProject,
  listProjects,
  purgeDeletedProjects,
  renameProject,
  restoreProject,
} from './projects.ts';
import { dropDb, freshDb } from './test-support.ts';

let db: ProbescopeDb;
beforeEach(() => {
  db = freshDb();
});
afterEach(() => dropDb(db));

const tick = () => new Promise((r) => setTimeout(r, 2));

describe('projects', () => {
  it('creates, lists (most recent first), gets and renames', async () => {
    const a = await createProject(db, { name: '  Induction heads ' });
    await tick();
    const b = await createProject(db, { name: 'Logit lens', model: { name: 'stories260K', hash: null } });
    expect(a.name).toBe('Induction heads');
    expect((await listProjects(db)).map((p) => p.name)).toEqual(['Logit lens', 'Induction heads']);
    expect((await getProject(db, b.id))?.model).toEqual({ name: 'stories260K', hash: null });

    await tick();
    const renamed = await renameProject(db, a.id, 'Induction');
    expect(renamed.updatedAt).toBeGreaterThan(a.updatedAt);
    expect((await listProjects(db)).map((p) => p.name)).toEqual(['Induction', 'Logit lens']);
  });

  it('rejects bad names with the field named', async () => {
    await expect(createProject(db, { name: '   ' })).rejects.toThrow(/project name: must not be empty/);
    await expect(createProject(db, { name: 'a\nb' })).rejects.toThrow(/project name: must be a single line/);
    await expect(createProject(db, { name: 'x'.repeat(201) })).rejects.toThrow(/project name: 201 characters, at most 200/);
    expect(await listProjects(db)).toEqual([]);
  });

  it('deletes with undo, and purges for good later', async () => {
    const p = await createProject(db, { name: 'P' });
    await saveExperiment(db, p.id, { kind: 'logit-lens', params: { topK: 5 }, result: { x: new Float32Array([1, 2]) } });
    await deleteProject(db, p.id);
    expect(await listProjects(db)).toEqual([]);
    expect((await listProjects(db, { deleted: true })).map((q) => q.id)).toEqual([p.id]);
    await expect(savePrompt(db, p.id, { name: 'x', text: 'y' })).rejects.toThrow(/"P" was deleted; restore it first/);

    await restoreProject(db, p.id);
    expect((await listProjects(db)).map((q) => q.id)).toEqual([p.id]);
    expect(await listParts(db, 'experiments', p.id)).toHaveLength(1);

    await deleteProject(db, p.id);
    expect(await purgeDeletedProjects(db, { deletedBefore: 0 })).toBe(0); // deleted after 0: kept
    expect(await purgeDeletedProjects(db, { deletedBefore: Date.now() + 1 })).toBe(1);
    expect(await getProject(db, p.id)).toBeUndefined();
    expect(await db.experiments.count()).toBe(0);
    expect(await db.results.count()).toBe(0);
    await expect(restoreProject(db, p.id)).rejects.toThrow(MissingRecordError);
  });

  it('purges only deleted projects', async () => {
    const keep = await createProject(db, { name: 'keep' });
    await saveExperiment(db, keep.id, { kind: 'k', params: null, result: 1 });
    const gone = await createProject(db, { name: 'gone' });
    await deleteProject(db, gone.id);
    expect(await purgeDeletedProjects(db, { deletedBefore: Date.now() + 1 })).toBe(1);
    expect((await listProjects(db)).map((p) => p.name)).toEqual(['keep']);
    expect(await db.results.count()).toBe(1);
  });

  it('duplicates every part under new ids, leaving the original untouched', async () => {
    const p = await createProject(db, { name: 'Original' });
    await savePrompt(db, p.id, { name: 'pair', text: 'When Mary and John', corrupted: 'When Mary and Anna' });
    const exp = await saveExperiment(db, p.id, { kind: 'attention', params: { ids: [1, 2] }, result: { patterns: new Float32Array([0.25, 0.75]) } });
    await pinFigure(db, p.id, { title: 'L0 heads', figure: { data: [{ z: new Float32Array([1]) }], layout: {} }, experimentId: exp.id });
    await saveNotebook(db, p.id, { name: 'nb', notebook: { cells: [] } });

    const copy = await duplicateProject(db, p.id);
    expect(copy.name).toBe('Original (copy)');
    expect(copy.id).not.toBe(p.id);
    const [copiedExp] = await listParts(db, 'experiments', copy.id);
    expect(copiedExp.id).not.toBe(exp.id);
    const [copiedFigure] = await listParts(db, 'figures', copy.id);
    expect(copiedFigure.experimentId).toBe(copiedExp.id);
    expect(await getExperimentResult(db, copiedExp.id)).toEqual({ patterns: new Float32Array([0.25, 0.75]) });
    expect((await listParts(db, 'prompts', copy.id))[0].corrupted).toBe('When Mary and Anna');
    expect(await listParts(db, 'notebooks', copy.id)).toHaveLength(1);
    // The original still has exactly its own parts.
    expect((await listParts(db, 'figures', p.id))[0].experimentId).toBe(exp.id);
    expect(await db.experiments.count()).toBe(2);
  });
});
