/**
 * Stored dashboards in real IndexedDB: every feature read back from the store equals the
 * dashboards the analysis layer produced; showing a feature reads its header and its one chunk,
 * never another chunk (counted by a read-counting layer under Dexie); data written by schema
 * version 3 (every feature in one row, as that version's packer wrote it) reads back after the
 * upgrade; a version 2 database keeps its rows; another corpus is another key; project export
 * leaves the dashboards out (they are recomputable), so an imported project brings none.
 */
import type { DBCore, DBCoreTable } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import type { DashboardKey } from '../../analysis/registry/dashboard-artifact.ts';
import { chunkBytes, DASHBOARD_CHUNK_FEATURES, dashboardKeyString, packDashboards } from '../../analysis/registry/dashboard-artifact.ts';
import type { DashboardsJson, FeatureJson } from '../../analysis/registry/dictionaries.ts';
import { deleteDashboards, loadDashboardFeature, loadDashboards, saveDashboards } from './dashboards.ts';
import { ProbescopeDb } from './db.ts';
import { createProject } from './projects.ts';
import { LATEST_SCHEMA_VERSION, SCHEMA_VERSIONS } from './schema.ts';
import { exportProject } from './share/export.ts';
import { importProject } from './share/import.ts';

const opened: ProbescopeDb[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) {
    db.close();
    await db.delete();
  }
});

function open(prefix: string, upTo = Infinity, name = `probescope-${prefix}-${Date.now()}-${Math.random()}`): ProbescopeDb {
  const db = new ProbescopeDb(name, SCHEMA_VERSIONS.filter((v) => v.version <= upTo));
  opened.push(db);
  return db;
}

const feature = (f: number): FeatureJson => ({
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
const KEY: DashboardKey = { model: 'sha256:abc', dictionary: 'builtin:stories260K-saes/blocks.0.hook_resid_post', corpus: { samples: 24, length: 48, seed: 0 }, topContexts: 10 };

/** A wider dictionary: feature f has f mod 4 contexts (none for some), each window its own tokens. */
function wide(dSae: number): DashboardsJson {
  const features = Array.from({ length: dSae }, (_, f): FeatureJson => {
    const max = 0.5 + (f % 7);
    return {
      feature: f,
      density: (f % 11) / 64,
      maxActivation: max,
      meanActivation: max / 2,
      contexts: Array.from({ length: f % 4 }, (_, k) => ({ sequence: k, position: 8 + k, activation: max - k, tokens: [`t${f}`, ` w${k}`, ' the', `.${f % 13}`], acts: [0, 0.25 * k, max - k, 0], focus: 2 })),
      histogram: { edges: [0, max / 4, max / 2, (max * 3) / 4, max], counts: [f % 5, 3, 0, 1] },
      topLogits: [{ id: f % 500, token: ` top${f % 500}`, value: 1 + f / 1024 }],
      bottomLogits: [{ id: 3, token: ' no', value: -1 - f / 2048 }],
      neighbours: [{ feature: (f + 1) % dSae, cosine: 0.5 }, { feature: (f + 7) % dSae, cosine: -0.25 }],
    };
  });
  return { dictionary: 'wide SAE', hookOut: 'blocks.1.hook_resid_post', dSae, sequences: 16, positions: 512, focus: 0, features };
}

/** Bytes of what a read returned: typed arrays' bytes and strings as UTF-16. */
function bytesOf(value: unknown, seen = new Set<unknown>()): number {
  if (typeof value === 'string') return 2 * value.length;
  if (typeof value !== 'object' || value === null || seen.has(value)) return 0;
  seen.add(value);
  if (ArrayBuffer.isView(value)) return value.byteLength;
  return Object.values(value).reduce((n: number, v) => n + bytesOf(v, seen), 0);
}

interface Reads {
  /** Per table: records returned by get/getMany/query. */
  rows: Record<string, number>;
  bytes: number;
  cursors: number;
}

/** Counts every record the database hands back to Dexie (installed before the database opens). */
function countReads(db: ProbescopeDb): Reads {
  const reads: Reads = { rows: {}, bytes: 0, cursors: 0 };
  const note = (table: string, values: readonly unknown[]) => {
    for (const v of values) {
      if (v === undefined) continue;
      reads.rows[table] = (reads.rows[table] ?? 0) + 1;
      reads.bytes += bytesOf(v);
    }
  };
  db.use({
    stack: 'dbcore',
    name: 'count-reads',
    create: (down: DBCore): DBCore => ({
      ...down,
      table(name: string): DBCoreTable {
        const t = down.table(name);
        return {
          ...t,
          get: async (req) => {
            const v: unknown = await t.get(req);
            note(name, [v]);
            return v;
          },
          getMany: async (req) => {
            const vs: unknown[] = await t.getMany(req);
            note(name, vs);
            return vs;
          },
          query: async (req) => {
            const r = await t.query(req);
            note(name, r.result);
            return r;
          },
          openCursor: (req) => {
            reads.cursors++;
            return t.openCursor(req);
          },
        };
      },
    }),
  });
  return reads;
}

function reset(reads: Reads): void {
  reads.rows = {};
  reads.bytes = 0;
  reads.cursors = 0;
}

describe('stored dashboards', () => {
  it('every feature read back equals the dashboards that were stored', async () => {
    const db = open('dash-every');
    const d = wide(50);
    // 7 features a chunk: 8 chunks, the last one of a single feature.
    const row = await saveDashboards(db, KEY, packDashboards(d, 7));
    expect(row.header).toMatchObject({ dSae: 50, chunkFeatures: 7, chunks: 8 });
    const header = (await loadDashboards(db, KEY))!;
    expect(header).toEqual(row);
    for (let f = 0; f < 50; f++) expect(await loadDashboardFeature(db, header, f)).toEqual(d.features[f]);
    await expect(loadDashboardFeature(db, header, 50)).rejects.toThrow(/feature 50 is outside \[0, 50\)/);
    // The typed arrays come back as typed arrays.
    expect((await db.dashboardChunks.get([row.key, 0]))?.packed.windowActs).toBeInstanceOf(Float32Array);
  });

  it('showing a feature reads the header and that feature\'s chunk only', async () => {
    const db = open('dash-reads');
    const reads = countReads(db);
    const d = wide(1024);
    const packed = packDashboards(d);
    await saveDashboards(db, KEY, packed);
    const total = packed.chunks.reduce((n, c) => n + chunkBytes(c), 0);
    for (const f of [0, 63, 64, 517, 1023]) {
      reset(reads);
      // What the view does when it opens stored dashboards and the user picks feature f.
      const header = (await loadDashboards(db, KEY))!;
      expect(await loadDashboardFeature(db, header, f)).toEqual(d.features[f]);
      expect(reads.rows).toEqual({ dashboards: 1, dashboardChunks: 1 });
      expect(reads.cursors).toBe(0);
      // At most the chunk holding f and the small header: 1/16 of the dictionary here.
      const chunk = packed.chunks[Math.floor(f / DASHBOARD_CHUNK_FEATURES)];
      expect(chunk.first).toBeLessThanOrEqual(f);
      expect(reads.bytes).toBeLessThan(chunkBytes(chunk) + 1024);
      expect(reads.bytes).toBeLessThan(total / 8);
    }
  });

  it('data written by version 3 (every feature in one row) reads back after the upgrade', async () => {
    const name = `probescope-dash-v3-${Date.now()}-${Math.random()}`;
    const v3 = open('', 3, name);
    await v3.open();
    // JSON_DASHBOARDS as version 3's packer stored it: one token table, every feature's rows.
    const packed = {
      format: 'probescope-dashboards-1',
      dictionary: 'test SAE',
      hookOut: 'blocks.0.hook_resid_post',
      dSae: 2,
      sequences: 4,
      positions: 64,
      bins: 2,
      stats: new Float64Array([0, 0, 0, 0.125, 1.5, 0.75]),
      histogram: new Uint32Array([0, 1, 1, 1]),
      contexts: { start: new Uint32Array([0, 0, 3]), values: new Uint32Array([1, 3, 2]) },
      contextActivation: new Float32Array([1.5]),
      windows: { start: new Uint32Array([0, 3]), values: new Uint16Array([0, 1, 2]) },
      windowActs: new Float32Array([0, 0.5, 1.5]),
      topLogits: { ids: { start: new Uint32Array([0, 1, 2]), values: new Uint32Array([7, 7]) }, strings: new Uint16Array([2, 2]), values: new Float32Array([0.25, 0.25]) },
      bottomLogits: { ids: { start: new Uint32Array([0, 1, 2]), values: new Uint32Array([9, 9]) }, strings: new Uint16Array([3, 3]), values: new Float32Array([-0.5, -0.5]) },
      neighbours: { start: new Uint32Array([0, 1, 2]), values: new Uint32Array([1, 0]) },
      neighbourCosines: new Float32Array([0.375, 0.375]),
      tokens: ['Once', ' upon', ' a', ' time'],
    };
    const key = dashboardKeyString(KEY);
    await v3.table('dashboards').put({ key, ...KEY, createdAt: 1234, bytes: 146, packed });
    const broken = { ...KEY, corpus: { ...KEY.corpus, seed: 9 } };
    await v3.table('dashboards').put({ key: dashboardKeyString(broken), ...broken, createdAt: 1, bytes: 0, packed: { ...packed, format: 'unknown' } });
    v3.close();

    const db = open('', LATEST_SCHEMA_VERSION, name);
    await db.open();
    expect(db.verno).toBe(4);
    const row = (await loadDashboards(db, KEY))!;
    expect(row).toMatchObject({ key, ...KEY, createdAt: 1234 });
    expect(row).not.toHaveProperty('packed');
    expect(row.header).toMatchObject({ dictionary: 'test SAE', hookOut: 'blocks.0.hook_resid_post', dSae: 2, sequences: 4, positions: 64, chunks: 1 });
    expect(await loadDashboardFeature(db, row, 0)).toEqual(JSON_DASHBOARDS.features[0]);
    expect(await loadDashboardFeature(db, row, 1)).toEqual(JSON_DASHBOARDS.features[1]);
    // A row that cannot be read is dropped (recomputable) instead of failing the whole upgrade.
    expect(await loadDashboards(db, broken)).toBeUndefined();
    expect(await db.dashboardChunks.count()).toBe(1);
  });

  it('a version 2 database keeps its rows at the latest version', async () => {
    const name = `probescope-dash-migrate-${Date.now()}-${Math.random()}`;
    const v2 = open('', 2, name);
    await v2.open();
    const project = { id: 'p1', name: 'old', model: null, createdAt: 1, updatedAt: 2, deletedAt: null };
    await v2.table('projects').add(project);
    await v2.table('results').add({ id: 'e1', projectId: 'p1', value: new Float32Array([1, 2]) });
    v2.close();
    const latest = open('', LATEST_SCHEMA_VERSION, name);
    await latest.open();
    expect(latest.verno).toBe(LATEST_SCHEMA_VERSION);
    expect(await latest.projects.get('p1')).toEqual(project);
    expect((await latest.results.get('e1'))?.value).toEqual(new Float32Array([1, 2]));
    expect(await latest.dashboards.count()).toBe(0);
  });

  it('saves per key; a recompute or removal leaves no chunk behind', async () => {
    const db = open('dash');
    expect(await loadDashboards(db, KEY)).toBeUndefined();
    const saved = await saveDashboards(db, KEY, packDashboards(wide(10), 2));
    expect(saved.bytes).toBeGreaterThan(0);
    expect(await db.dashboardChunks.count()).toBe(5);
    // Another corpus is computed and stored separately.
    const other = { ...KEY, corpus: { ...KEY.corpus, seed: 1 } };
    expect(await loadDashboards(db, other)).toBeUndefined();
    await saveDashboards(db, other, packDashboards({ ...JSON_DASHBOARDS, sequences: 5 }));
    expect((await loadDashboards(db, other))?.header.sequences).toBe(5);
    expect((await loadDashboards(db, KEY))?.header.sequences).toBe(16);
    // Recomputed with fewer chunks: the old ones go.
    await saveDashboards(db, KEY, packDashboards(wide(10), 5));
    expect(await db.dashboardChunks.count()).toBe(2 + 1);
    await deleteDashboards(db, KEY);
    expect(await loadDashboards(db, KEY)).toBeUndefined();
    expect(await db.dashboardChunks.count()).toBe(1);
    expect(await loadDashboardFeature(db, (await loadDashboards(db, other))!, 1)).toEqual(JSON_DASHBOARDS.features[1]);
  });

  it('are not part of a project file', async () => {
    const db = open('dash-export');
    const project = await createProject(db, { name: 'with dashboards' });
    await saveDashboards(db, KEY, packDashboards(JSON_DASHBOARDS));
    const { bytes } = await exportProject(db, project.id);
    const other = open('dash-import');
    await importProject(other, bytes);
    expect(await other.projects.count()).toBe(1);
    expect(await other.dashboards.count()).toBe(0);
    expect(await other.dashboardChunks.count()).toBe(0);
  });
});
