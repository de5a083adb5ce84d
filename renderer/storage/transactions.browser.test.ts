/**
 * Failures in the middle of a save: the transaction is rolled back and the previous state stays
 * exactly as it was; a full disk (QuotaExceededError) is reported with a clear message.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProbescopeDb } from './db.ts';
import { StorageError, StorageQuotaError } from './errors.ts';
import { saveExperiment, saveNotebook } from './parts.ts';
import { createProject, duplicateProject } from './projects.ts';
import { dropDb, freshDb, injectFault, quotaError, snapshot } from './test-support.ts';

let db: ProbescopeDb;
beforeEach(() => {
  db = freshDb();
});
afterEach(() => dropDb(db));

async function seeded() {
  const project = await createProject(db, { name: 'Induction' });
  await saveExperiment(db, project.id, { kind: 'attention', params: { ids: [1] }, result: { p: new Float32Array([1, 2, 3]) } });
  return project;
}

describe('a failure mid-save', () => {
  it('rolls back the part already written in the same transaction', async () => {
    // saveExperiment writes the project (updatedAt), the experiment, then the result: fail the result.
    const fault = injectFault(db, { table: 'results', nth: 2, error: () => new Error('disk on fire') });
    const project = await seeded(); // results mutation #1 succeeds
    const before = await snapshot(db);

    const save = saveExperiment(db, project.id, { kind: 'logit-lens', params: {}, result: { x: new Float32Array(4) } });
    await expect(save).rejects.toThrow(StorageError);
    await expect(save).rejects.toThrow(/Could not save experiment "logit-lens": disk on fire\. Nothing was changed\./);
    expect(fault.triggered()).toBe(1);
    expect(await snapshot(db)).toEqual(before);
  });

  it('rolls back when the code inside the transaction throws after writing', async () => {
    const project = await seeded();
    const before = await snapshot(db);
    await expect(
      db.transaction('rw', db.projects, db.experiments, async () => {
        await db.projects.put({ ...project, name: 'half-renamed' });
        await db.experiments.clear();
        throw new Error('crash between two writes');
      }),
    ).rejects.toThrow('crash between two writes');
    expect(await snapshot(db)).toEqual(before);
  });

  it('leaves no partial copy when a duplicate fails halfway', async () => {
    // Faults are installed before the database opens. Notebooks mutation #1 is the original's,
    // #2 the copy's: the last table the copy writes.
    injectFault(db, { table: 'notebooks', nth: 2, error: quotaError });
    const project = await seeded();
    await saveNotebook(db, project.id, { name: 'nb', notebook: { cells: [] } });
    const before = await snapshot(db);
    await expect(duplicateProject(db, project.id)).rejects.toThrow(StorageQuotaError);
    expect(await snapshot(db)).toEqual(before);
  });
});

describe('storage quota', () => {
  it('reports QuotaExceededError with what was being saved and what to do, and changes nothing', async () => {
    injectFault(db, { table: 'results', nth: 2, error: quotaError });
    const project = await seeded();
    const before = await snapshot(db);
    const error = await saveExperiment(db, project.id, { kind: 'sweep', params: {}, result: new Float32Array(8) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageQuotaError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Could not save experiment "sweep": the browser's storage for Probescope is full/);
    expect(message).toMatch(/MB used of .* MB allowed/); // navigator.storage.estimate() is available in Chromium
    expect(message).toMatch(/Nothing was changed/);
    expect(message).toMatch(/purging deleted projects/);
    expect((error as Error).cause).toBeDefined();
    expect(await snapshot(db)).toEqual(before);
  });

  it('recognises the quota error however Dexie wraps it', async () => {
    injectFault(db, { table: 'projects', error: () => Object.assign(new Error('Transaction aborted'), { name: 'AbortError', inner: quotaError() }) });
    await expect(createProject(db, { name: 'x' })).rejects.toThrow(StorageQuotaError);
  });
});
