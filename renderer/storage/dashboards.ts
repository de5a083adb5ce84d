/**
 * Stored feature dashboards: every feature of a dictionary over one corpus, packed
 * (analysis/registry/dashboard-artifact.ts), per key — model, dictionary, corpus, settings — so
 * a dictionary's dashboards are computed once per corpus and read back instantly; another corpus
 * or setting is another key.
 *
 * Schema version 4 keeps one small header row per key in `dashboards` and one row per chunk of
 * consecutive features in `dashboardChunks` (primary key [key, chunk]). Opening stored
 * dashboards reads the header only; showing feature f reads the one chunk that holds f, so the
 * cost of choosing a feature does not grow with the dictionary's width. (Version 3 stored every
 * feature in one row; schema.ts re-packs such rows into chunks when the database opens.)
 *
 * The tables belong to the project database but to no one project: the dashboards depend only on
 * their key, so every project on this model and dictionary shares them. Project export leaves
 * them out on purpose: they are recomputed from the model and dictionary in seconds to minutes,
 * and carrying them would make a project file depend on a dictionary it does not contain.
 */
import Dexie from 'dexie';
import type { ChunkedDashboards, DashboardKey, DashboardsHeader, PackedChunk } from '../../analysis/registry/dashboard-artifact.ts';
import { chunkBytes, chunkOf, dashboardKeyString, unpackFeature } from '../../analysis/registry/dashboard-artifact.ts';
import type { FeatureJson } from '../../analysis/registry/dictionaries.ts';
import type { ProbescopeDb } from './db.ts';
import { guardWrite, MissingRecordError } from './errors.ts';

export interface DashboardRow {
  /** dashboardKeyString(…) of the fields below. */
  readonly key: string;
  readonly model: string;
  readonly dictionary: string;
  readonly corpus: DashboardKey['corpus'];
  readonly topContexts: number;
  readonly createdAt: number;
  /** The chunks' packed bytes together: what the dashboards hold, for the view and the README's numbers. */
  readonly bytes: number;
  readonly header: DashboardsHeader;
}

/** Chunk `chunk` of the dashboards stored under `key`. */
export interface DashboardChunkRow {
  readonly key: string;
  readonly chunk: number;
  readonly packed: PackedChunk;
}

/** The rows that store `dashboards` under the key fields of `meta` (also the version 3 → 4 upgrade's). */
export function dashboardRows(meta: Omit<DashboardRow, 'bytes' | 'header'>, dashboards: ChunkedDashboards): { row: DashboardRow; chunks: DashboardChunkRow[] } {
  const { header, chunks } = dashboards;
  return {
    row: { ...meta, bytes: chunks.reduce((n, c) => n + chunkBytes(c), 0), header },
    chunks: chunks.map((packed, chunk) => ({ key: meta.key, chunk, packed })),
  };
}

function chunksOf(db: ProbescopeDb, key: string) {
  return db.dashboardChunks.where('[key+chunk]').between([key, Dexie.minKey], [key, Dexie.maxKey]);
}

/** Stores (or replaces) the dashboards of `key`: header and chunks in one transaction. */
export async function saveDashboards(db: ProbescopeDb, key: DashboardKey, dashboards: ChunkedDashboards): Promise<DashboardRow> {
  const { row, chunks } = dashboardRows({ key: dashboardKeyString(key), ...key, createdAt: Date.now() }, dashboards);
  await guardWrite(`the dashboards of ${key.dictionary}`, () =>
    db.transaction('rw', db.dashboards, db.dashboardChunks, async () => {
      // A recompute may have fewer chunks (another chunk size): none of the old ones may stay.
      await chunksOf(db, row.key).delete();
      await db.dashboardChunks.bulkPut(chunks);
      await db.dashboards.put(row);
    }),
  );
  return row;
}

/** The header of the stored dashboards of `key` (no feature is read), or undefined when they were never computed. */
export function loadDashboards(db: ProbescopeDb, key: DashboardKey): Promise<DashboardRow | undefined> {
  return db.dashboards.get(dashboardKeyString(key));
}

/** Feature `f`'s dashboard, read from the one chunk that holds it. */
export async function loadDashboardFeature(db: ProbescopeDb, row: DashboardRow, f: number): Promise<FeatureJson> {
  const chunk = chunkOf(row.header, f);
  const stored = await db.dashboardChunks.get([row.key, chunk]);
  if (stored === undefined) throw new MissingRecordError(`the stored dashboards of ${row.dictionary} lack chunk ${chunk} of ${row.header.chunks} (feature ${f}); compute them again`);
  return unpackFeature(stored.packed, f);
}

export async function deleteDashboards(db: ProbescopeDb, key: DashboardKey): Promise<void> {
  const text = dashboardKeyString(key);
  await guardWrite(`the removal of the dashboards of ${key.dictionary}`, () =>
    db.transaction('rw', db.dashboards, db.dashboardChunks, async () => {
      await chunksOf(db, text).delete();
      await db.dashboards.delete(text);
    }),
  );
}
