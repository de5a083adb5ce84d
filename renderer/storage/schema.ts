/**
 * The project database's versions, oldest first. A version's `stores` lists every table with
 * its primary key and indexes (Dexie syntax); `upgrade` moves data written by the previous
 * version into the new layout. Dexie runs the upgrades in order inside the version-change
 * transaction, so a database of any version opens at the latest, and a failed upgrade leaves
 * the old database untouched.
 *
 * Never edit a released version: add a new one. schema.browser.test.ts opens a database written
 * by every older version and checks its data after the upgrade.
 */
import type { Transaction } from 'dexie';
import type { PackedBlock } from '../../analysis/registry/dashboard-artifact.ts';
import { chunkBlock } from '../../analysis/registry/dashboard-artifact.ts';
import type { DashboardRow } from './dashboards.ts';
import { dashboardRows } from './dashboards.ts';

export interface SchemaVersion {
  readonly version: number;
  readonly stores: Readonly<Record<string, string | null>>;
  readonly upgrade?: (tx: Transaction) => Promise<void>;
}

/**
 * Version 1, the first layout: an experiment row held its result inline (`result`), and a
 * deleted project was gone at once.
 */
const V1_STORES = {
  projects: 'id, updatedAt',
  prompts: 'id, projectId',
  datasets: 'id, projectId',
  experiments: 'id, projectId',
  figures: 'id, projectId',
  probes: 'id, projectId',
  notebooks: 'id, projectId',
} as const;

/**
 * Version 2: results move to their own table (same id as the experiment), so listing a
 * project's experiments no longer reads every array it ever computed; projects gain
 * `deletedAt` for delete-with-undo.
 */
const V2_STORES = { ...V1_STORES, results: 'id, projectId' } as const;

async function upgradeToV2(tx: Transaction): Promise<void> {
  await tx
    .table('projects')
    .toCollection()
    .modify((project: Record<string, unknown>) => {
      if (project.deletedAt === undefined) project.deletedAt = null;
    });
  // One experiment at a time, so the upgrade never holds every result in memory at once.
  const experiments = tx.table('experiments');
  const results = tx.table('results');
  for (const id of await experiments.toCollection().primaryKeys()) {
    const row = (await experiments.get(id)) as Record<string, unknown> | undefined;
    if (row === undefined) continue;
    const { result, ...experiment } = row;
    await results.put({ id: row.id, projectId: row.projectId, value: result ?? null });
    await experiments.put(experiment);
  }
}

/**
 * Version 3: stored feature dashboards (dashboards.ts), one row per (model, dictionary, corpus,
 * settings) key. A new table only: the rows of version 2 stay as they are, so no upgrade runs.
 */
const V3_STORES = { ...V2_STORES, dashboards: 'key, createdAt' } as const;

/**
 * Version 4: stored dashboards in chunks (dashboards.ts). `dashboards` keeps a small header row
 * per key and `dashboardChunks` one row per chunk of consecutive features, so showing a feature
 * reads one chunk rather than every feature of the dictionary.
 */
const V4_STORES = { ...V3_STORES, dashboardChunks: '[key+chunk]' } as const;

/**
 * Re-packs every version 3 row (every feature in one `packed` block) into a header and chunks,
 * one row at a time. A row that cannot be re-packed is dropped rather than failing the upgrade:
 * dashboards are recomputable, and one bad row must not keep the project database from opening.
 */
async function upgradeToV4(tx: Transaction): Promise<void> {
  const dashboards = tx.table('dashboards');
  const chunks = tx.table('dashboardChunks');
  for (const key of await dashboards.toCollection().primaryKeys()) {
    const old = (await dashboards.get(key)) as (Omit<DashboardRow, 'bytes' | 'header'> & { packed?: PackedBlock }) | undefined;
    if (old?.packed === undefined) continue;
    const { key: k, model, dictionary, corpus, topContexts, createdAt, packed } = old;
    let rows: ReturnType<typeof dashboardRows>;
    try {
      rows = dashboardRows({ key: k, model, dictionary, corpus, topContexts, createdAt }, chunkBlock(packed));
    } catch {
      await dashboards.delete(key);
      continue;
    }
    await chunks.bulkPut(rows.chunks);
    await dashboards.put(rows.row);
  }
}

export const SCHEMA_VERSIONS: readonly SchemaVersion[] = [
  { version: 1, stores: V1_STORES },
  { version: 2, stores: V2_STORES, upgrade: upgradeToV2 },
  { version: 3, stores: V3_STORES },
  { version: 4, stores: V4_STORES, upgrade: upgradeToV4 },
];

export const LATEST_SCHEMA_VERSION = SCHEMA_VERSIONS[SCHEMA_VERSIONS.length - 1].version;
