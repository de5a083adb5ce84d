/** Typed access to the child tables by name, and the transaction helpers every write uses. */
import type { Table } from 'dexie';
import type { ProbescopeDb } from './db.ts';
import { guardWrite, MissingRecordError } from './errors.ts';
import type {
  ChildTable,
  DatasetRow,
  ExperimentRow,
  FigureRow,
  NotebookRow,
  ProbeRow,
  ProjectRow,
  PromptRow,
  ResultRow,
} from './records.ts';
import { CHILD_TABLES } from './records.ts';

export interface ChildRows {
  prompts: PromptRow;
  datasets: DatasetRow;
  experiments: ExperimentRow;
  results: ResultRow;
  figures: FigureRow;
  probes: ProbeRow;
  notebooks: NotebookRow;
}

export function childTable<T extends ChildTable>(db: ProbescopeDb, name: T): Table<ChildRows[T], string> {
  // Indexing the db with a union of names yields a union of tables; the mapping restores the pairing.
  return db[name] as unknown as Table<ChildRows[T], string>;
}

export function allTables(db: ProbescopeDb): Table[] {
  return [db.projects, ...CHILD_TABLES.map((t) => db[t])] as Table[];
}

/**
 * One read-write transaction over every table, reported through guardWrite. IndexedDB commits a
 * transaction only when `body` resolves; if it throws (or the window closes first) nothing of
 * it is written, so a half-finished save can never replace what was saved before.
 *
 * `body` must await only Dexie operations: awaiting anything else (fetch, SubtleCrypto, timers)
 * lets IndexedDB auto-commit the transaction midway, so every value is prepared beforehand.
 */
export function writeTransaction<T>(db: ProbescopeDb, what: string, body: () => Promise<T>): Promise<T> {
  // The scope must be an `async` function: Dexie follows native awaits only inside one, and a
  // plain function returning a native promise ends in PrematureCommitError.
  return guardWrite(what, () => db.transaction('rw', allTables(db), async () => await body()));
}

/** Inside a transaction: the live project, its updatedAt bumped to `now`; MissingRecordError otherwise. */
export async function touchLiveProject(db: ProbescopeDb, projectId: string, now: number): Promise<ProjectRow> {
  const project = await db.projects.get(projectId);
  if (project === undefined) throw new MissingRecordError(`project ${projectId} does not exist`);
  if (project.deletedAt !== null) throw new MissingRecordError(`project "${project.name}" was deleted; restore it first`);
  const updated = { ...project, updatedAt: Math.max(now, project.updatedAt) };
  await db.projects.put(updated);
  return updated;
}
