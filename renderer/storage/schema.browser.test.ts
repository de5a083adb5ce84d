/**
 * Migrations, from the first version on: a database written by an older version (with that
 * version's own layout and data) is opened by the current code, which upgrades it in place.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ProbescopeDb } from './db.ts';
import { readProjectContents } from './contents.ts';
import { getExperimentResult, listParts, saveExperiment } from './parts.ts';
import { listProjects, deleteProject, restoreProject } from './projects.ts';
import { LATEST_SCHEMA_VERSION, SCHEMA_VERSIONS } from './schema.ts';

const opened: ProbescopeDb[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) {
    db.close();
    await db.delete();
  }
});

function open(name: string, upTo: number): ProbescopeDb {
  const db = new ProbescopeDb(name, SCHEMA_VERSIONS.filter((v) => v.version <= upTo));
  opened.push(db);
  return db;
}

function tableLayout(db: ProbescopeDb) {
  return db.tables
    .map((t) => ({ name: t.name, key: t.schema.primKey.src, indexes: t.schema.indexes.map((i) => i.src).sort() }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Data exactly as version 1 wrote it: results inline in experiments, no deletedAt. */
const V1 = {
  project: { id: 'p1', name: 'Induction (v1)', model: { name: 'stories260K', hash: null }, createdAt: 1000, updatedAt: 2000 },
  experiments: [
    {
      id: 'e1', projectId: 'p1', kind: 'attention', label: 'heads', params: { ids: [1, 2, 3] }, model: null, createdAt: 1100,
      result: { patterns: new Float32Array([0.1, NaN, -0, 1e-45]), nLayers: 1 },
    },
    { id: 'e2', projectId: 'p1', kind: 'logit-lens', label: 'lens', params: {}, model: null, createdAt: 1200 }, // no result field
  ],
  figure: { id: 'f1', projectId: 'p1', experimentId: 'e1', title: 'heads', figure: { data: [{ type: 'heatmap' }] }, createdAt: 1300 },
  prompt: { id: 'q1', projectId: 'p1', name: 'story', text: 'Once upon a time', corrupted: null, createdAt: 1000, updatedAt: 1000 },
};

async function writeV1(name: string): Promise<void> {
  const db = open(name, 1);
  await db.open();
  expect(db.verno).toBe(1);
  expect(db.tables.map((t) => t.name)).not.toContain('results');
  await db.table('projects').add(V1.project);
  await db.table('experiments').bulkAdd(V1.experiments);
  await db.table('figures').add(V1.figure);
  await db.table('prompts').add(V1.prompt);
  db.close();
}

describe('schema migrations', () => {
  it('has versions in increasing order, each declaring every table', () => {
    const versions = SCHEMA_VERSIONS.map((v) => v.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    expect(LATEST_SCHEMA_VERSION).toBe(4);
  });

  it('upgrades a version 1 database with version 1 data to the latest version', async () => {
    const name = `probescope-migrate-${Date.now()}-${Math.random()}`;
    await writeV1(name);

    const db = open(name, LATEST_SCHEMA_VERSION);
    await db.open();
    expect(db.verno).toBe(LATEST_SCHEMA_VERSION);

    // Projects gained deletedAt (live); everything else about them is as written.
    const [project] = await listProjects(db);
    expect(project).toEqual({ ...V1.project, deletedAt: null });

    // Results moved to their own table, bit for bit; the experiment rows lost the inline field.
    const experiments = await listParts(db, 'experiments', 'p1');
    expect(experiments.map((e) => e.id)).toEqual(['e1', 'e2']);
    for (const e of experiments) expect(e).not.toHaveProperty('result');
    const { result: _r, ...e1 } = V1.experiments[0];
    expect(experiments[0]).toEqual(e1);
    const moved = (await getExperimentResult(db, 'e1')) as { patterns: Float32Array; nLayers: number };
    expect(moved.nLayers).toBe(1);
    expect(moved.patterns).toBeInstanceOf(Float32Array);
    expect(new Uint8Array(moved.patterns.buffer)).toEqual(new Uint8Array(V1.experiments[0].result!.patterns.buffer));
    expect(await getExperimentResult(db, 'e2')).toBeNull();
    expect((await db.results.get('e1'))?.projectId).toBe('p1');

    // Untouched tables keep their rows.
    expect(await db.figures.get('f1')).toEqual(V1.figure);
    expect(await db.prompts.get('q1')).toEqual(V1.prompt);

    // The upgraded database works with today's API.
    const contents = await readProjectContents(db, 'p1');
    expect(contents.results).toHaveLength(2);
    await deleteProject(db, 'p1');
    expect(await listProjects(db)).toEqual([]);
    await restoreProject(db, 'p1');
    await saveExperiment(db, 'p1', { kind: 'k', params: null, result: new Int32Array([5]) });
    expect(await db.results.count()).toBe(3);
  });

  it('ends with the same layout as a database created at the latest version', async () => {
    const upgradedName = `probescope-migrate-layout-${Date.now()}-${Math.random()}`;
    await writeV1(upgradedName);
    const upgraded = open(upgradedName, LATEST_SCHEMA_VERSION);
    await upgraded.open();
    const fresh = open(`probescope-fresh-${Date.now()}-${Math.random()}`, LATEST_SCHEMA_VERSION);
    await fresh.open();
    expect(tableLayout(upgraded)).toEqual(tableLayout(fresh));
  });

  it('leaves the version 1 database intact when the upgrade fails', async () => {
    const name = `probescope-migrate-fail-${Date.now()}-${Math.random()}`;
    await writeV1(name);
    const failing = SCHEMA_VERSIONS.map((v) =>
      v.version === 2
        ? {
            ...v,
            upgrade: async (tx: Parameters<NonNullable<typeof v.upgrade>>[0]) => {
              await v.upgrade!(tx);
              throw new Error('power cut during the upgrade');
            },
          }
        : v,
    );
    const broken = new ProbescopeDb(name, failing);
    await expect(broken.open()).rejects.toThrow(/power cut during the upgrade/);
    broken.close();

    const v1 = open(name, 1);
    await v1.open();
    expect(v1.verno).toBe(1);
    expect(await v1.table('experiments').get('e1')).toHaveProperty('result');
    expect(await v1.table('projects').get('p1')).toEqual(V1.project);
  });
});
