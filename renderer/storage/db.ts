/**
 * The project database: one IndexedDB database (default name "probescope") opened through
 * Dexie with every schema version from schema.ts. Tests pass their own name so that each test
 * gets a fresh database.
 */
import Dexie from 'dexie';
import type { Table } from 'dexie';
import type {
  DatasetRow,
  ExperimentRow,
  FigureRow,
  NotebookRow,
  ProbeRow,
  ProjectRow,
  PromptRow,
  ResultRow,
} from './records.ts';
import type { DashboardChunkRow, DashboardRow } from './dashboards.ts';
import { SCHEMA_VERSIONS } from './schema.ts';
import type { SchemaVersion } from './schema.ts';

export const DEFAULT_DB_NAME = 'probescope';

export class ProbescopeDb extends Dexie {
  // `declare`: the tables are created by Dexie from the schema; a class field would overwrite them.
  declare projects: Table<ProjectRow, string>;
  declare prompts: Table<PromptRow, string>;
  declare datasets: Table<DatasetRow, string>;
  declare experiments: Table<ExperimentRow, string>;
  declare results: Table<ResultRow, string>;
  declare figures: Table<FigureRow, string>;
  declare probes: Table<ProbeRow, string>;
  declare notebooks: Table<NotebookRow, string>;
  declare dashboards: Table<DashboardRow, string>;
  declare dashboardChunks: Table<DashboardChunkRow, [string, number]>;

  constructor(name: string = DEFAULT_DB_NAME, versions: readonly SchemaVersion[] = SCHEMA_VERSIONS) {
    super(name);
    for (const v of versions) {
      const declared = this.version(v.version).stores({ ...v.stores });
      if (v.upgrade) declared.upgrade(v.upgrade);
    }
  }
}
