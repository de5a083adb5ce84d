/**
 * Stored feature dashboards (schema version 3): every feature of a dictionary over one corpus,
 * packed (analysis/registry/dashboard-artifact.ts), one row per key — model, dictionary, corpus,
 * settings — so a dictionary's dashboards are computed once per corpus and read back instantly;
 * another corpus or setting is another row.
 *
 * The table belongs to the project database but to no one project: the dashboards depend only on
 * their key, so every project on this model and dictionary shares them. Project export leaves
 * them out on purpose: they are recomputed from the model and dictionary in seconds to minutes,
 * and carrying them would make a project file depend on a dictionary it does not contain.
 */
import type { DashboardKey, PackedDashboards } from '../../analysis/registry/dashboard-artifact.ts';
import { dashboardKeyString, packedBytes } from '../../analysis/registry/dashboard-artifact.ts';
import type { ProbescopeDb } from './db.ts';
import { guardWrite } from './errors.ts';

export interface DashboardRow {
  /** dashboardKeyString(…) of the fields below. */
  readonly key: string;
  readonly model: string;
  readonly dictionary: string;
  readonly corpus: DashboardKey['corpus'];
  readonly topContexts: number;
  readonly createdAt: number;
  /** packedBytes(packed): what the row holds, for the view and the README's numbers. */
  readonly bytes: number;
  readonly packed: PackedDashboards;
}

/** Stores (or replaces) the dashboards of `key`. */
export async function saveDashboards(db: ProbescopeDb, key: DashboardKey, packed: PackedDashboards): Promise<DashboardRow> {
  const row: DashboardRow = { key: dashboardKeyString(key), ...key, createdAt: Date.now(), bytes: packedBytes(packed), packed };
  await guardWrite(`the dashboards of ${key.dictionary}`, () => db.dashboards.put(row));
  return row;
}

/** The stored dashboards of `key`, or undefined when they were never computed. */
export function loadDashboards(db: ProbescopeDb, key: DashboardKey): Promise<DashboardRow | undefined> {
  return db.dashboards.get(dashboardKeyString(key));
}

export async function deleteDashboards(db: ProbescopeDb, key: DashboardKey): Promise<void> {
  await guardWrite(`the removal of the dashboards of ${key.dictionary}`, () => db.dashboards.delete(dashboardKeyString(key)));
}
