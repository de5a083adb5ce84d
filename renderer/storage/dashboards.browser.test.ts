/**
 * Stored dashboards in real IndexedDB: a version 2 database keeps its rows when it opens at
 * version 3; packed dashboards come back equal (typed arrays included); another corpus is
 * another row; project export leaves them out (they are recomputable), so an imported
 * project brings none.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { packDashboards, unpackDashboards } from '../../analysis/registry/dashboard-artifact.ts';
import type { DashboardsJson } from '../../analysis/registry/dictionaries.ts';
import { deleteDashboards, loadDashboards, saveDashboards } from './dashboards.ts';
import { ProbescopeDb } from './db.ts';
import { createProject } from './projects.ts';
import { SCHEMA_VERSIONS } from './schema.ts';
import { exportProject } from './share/export.ts';
import { importProject } from './share/import.ts';

const opened: ProbescopeDb[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) {
    db.close();
    await db.delete();
  }
});

function open(name: string, upTo = Infinity): ProbescopeDb {
  const db = new ProbescopeDb(name, SCHEMA_VERSIONS.filter((v) => v.version <= upTo));
  opened.push(db);
  return db;
}

const feature = (f: number) => ({
  feature: f,
  density: 0.125 * f,
  maxActivation: 1.5 * f,
  meanActivation: 0.75 * f,
  contexts: f === 0 ? [] : [{ sequence: f, position: 3, activation: 1.5 * f, tokens: ['Once', ' upon', ' a'], acts: [0, 0.5, 1.5 * f], focus: 2 }],
  histogram: { edges: [0, (1.5 * f) / 2, 1.5 * f], counts: [f, 1] },
  topLogits: [{ id: 7, token: ' a', value: 0.25 }],
  bottomLogits: [{ id: 9, token: ' time', value: -0.5 }],
  neighbours: [{ feature: 1 - f, cosine: 0.375 }],
});
const JSON_DASHBOARDS: DashboardsJson = { dictionary: 'test SAE', hookOut: 'blocks.0.hook_resid_post', dSae: 2, sequences: 4, positions: 64, focus: 1, features: [feature(0), feature(1)] };
const KEY = { model: 'sha256:abc', dictionary: 'builtin:stories260K-saes/blocks.0.hook_resid_post', corpus: { samples: 24, length: 48, seed: 0 }, topContexts: 10 };

describe('stored dashboards', () => {
  it('a version 2 database keeps its rows at version 3', async () => {
    const name = `probescope-dash-migrate-${Date.now()}-${Math.random()}`;
    const v2 = open(name, 2);
    await v2.open();
    const project = { id: 'p1', name: 'old', model: null, createdAt: 1, updatedAt: 2, deletedAt: null };
    await v2.table('projects').add(project);
    await v2.table('results').add({ id: 'e1', projectId: 'p1', value: new Float32Array([1, 2]) });
    v2.close();
    const v3 = open(name);
    await v3.open();
    expect(v3.verno).toBe(3);
    expect(await v3.projects.get('p1')).toEqual(project);
    expect((await v3.results.get('e1'))?.value).toEqual(new Float32Array([1, 2]));
    expect(await v3.dashboards.count()).toBe(0);
  });

  it('saves and reads back packed dashboards per key', async () => {
    const db = open(`probescope-dash-${Date.now()}-${Math.random()}`);
    const packed = packDashboards(JSON_DASHBOARDS);
    expect(await loadDashboards(db, KEY)).toBeUndefined();
    const saved = await saveDashboards(db, KEY, packed);
    expect(saved.bytes).toBeGreaterThan(0);
    const row = await loadDashboards(db, KEY);
    expect(row?.packed.windowActs).toBeInstanceOf(Float32Array);
    expect(unpackDashboards(row!.packed, 1)).toEqual(JSON_DASHBOARDS);
    // Another corpus is computed and stored separately.
    const other = { ...KEY, corpus: { ...KEY.corpus, seed: 1 } };
    expect(await loadDashboards(db, other)).toBeUndefined();
    await saveDashboards(db, other, packDashboards({ ...JSON_DASHBOARDS, sequences: 5 }));
    expect((await loadDashboards(db, other))?.packed.sequences).toBe(5);
    expect((await loadDashboards(db, KEY))?.packed.sequences).toBe(4);
    await deleteDashboards(db, KEY);
    expect(await loadDashboards(db, KEY)).toBeUndefined();
  });

  it('are not part of a project file', async () => {
    const db = open(`probescope-dash-export-${Date.now()}-${Math.random()}`);
    const project = await createProject(db, { name: 'with dashboards' });
    await saveDashboards(db, KEY, packDashboards(JSON_DASHBOARDS));
    const { bytes } = await exportProject(db, project.id);
    const other = open(`probescope-dash-import-${Date.now()}-${Math.random()}`);
    await importProject(other, bytes);
    expect(await other.projects.count()).toBe(1);
    expect(await other.dashboards.count()).toBe(0);
  });
});
