/**
 * Probe projects: create, list, rename, duplicate, delete with undo. Delete is soft (the project
 * gets `deletedAt` and leaves the list) so that "Undo" can restore it; `purgeDeletedProjects`
 * removes deleted projects and all their parts for good, later.
 */
import { insertProjectContents, readProjectContents, remapContents } from './contents.ts';
import type { ProbescopeDb } from './db.ts';
import { MissingRecordError } from './errors.ts';
import { checkName, newId } from './ids.ts';
import type { ModelReference, ProjectRow } from './records.ts';
import { CHILD_TABLES } from './records.ts';
import { childTable, touchLiveProject, writeTransaction } from './tables.ts';

export interface CreateProjectOptions {
  readonly name: string;
  readonly model?: ModelReference | null;
}

export async function createProject(db: ProbescopeDb, options: CreateProjectOptions): Promise<ProjectRow> {
  const name = checkName(options.name, 'project name');
  const now = Date.now();
  const project: ProjectRow = { id: newId(), name, model: options.model ?? null, createdAt: now, updatedAt: now, deletedAt: null };
  await writeTransaction(db, `new project "${name}"`, () => db.projects.add(project));
  return project;
}

/** Live projects, most recently changed first; with `{deleted: true}`, the deleted ones instead. */
export async function listProjects(db: ProbescopeDb, options: { deleted?: boolean } = {}): Promise<ProjectRow[]> {
  const all = await db.projects.orderBy('updatedAt').reverse().toArray();
  return all.filter((p) => (p.deletedAt !== null) === (options.deleted ?? false));
}

/** The project row (also when deleted), or undefined. */
export function getProject(db: ProbescopeDb, projectId: string): Promise<ProjectRow | undefined> {
  return db.projects.get(projectId);
}

async function updateLive(
  db: ProbescopeDb,
  projectId: string,
  what: string,
  change: (project: ProjectRow) => ProjectRow,
): Promise<ProjectRow> {
  return writeTransaction(db, what, async () => {
    const touched = await touchLiveProject(db, projectId, Date.now());
    const updated = change(touched);
    await db.projects.put(updated);
    return updated;
  });
}

export async function renameProject(db: ProbescopeDb, projectId: string, name: string): Promise<ProjectRow> {
  const checked = checkName(name, 'project name');
  return updateLive(db, projectId, `the new name "${checked}"`, (p) => ({ ...p, name: checked }));
}

/** Records which model the project's analyses run on. */
export async function setProjectModel(db: ProbescopeDb, projectId: string, model: ModelReference | null): Promise<ProjectRow> {
  return updateLive(db, projectId, `the model of project ${projectId}`, (p) => ({ ...p, model }));
}

/** A full copy (every part, new ids) named "<name> (copy)" unless a name is given. */
export async function duplicateProject(db: ProbescopeDb, projectId: string, options: { name?: string } = {}): Promise<ProjectRow> {
  const source = await readProjectContents(db, projectId);
  if (source.project.deletedAt !== null) throw new MissingRecordError(`project "${source.project.name}" was deleted; restore it first`);
  const name = checkName(options.name ?? `${source.project.name} (copy)`, 'project name');
  const copy = remapContents(source, { name, now: Date.now() });
  await writeTransaction(db, `the copy "${name}"`, () => insertProjectContents(db, copy));
  return copy.project;
}

/** Soft delete: the project leaves the list and can be restored until it is purged. */
export async function deleteProject(db: ProbescopeDb, projectId: string): Promise<ProjectRow> {
  return writeTransaction(db, `the deletion of project ${projectId}`, async () => {
    const project = await db.projects.get(projectId);
    if (project === undefined) throw new MissingRecordError(`project ${projectId} does not exist`);
    const deleted = { ...project, deletedAt: project.deletedAt ?? Date.now() };
    await db.projects.put(deleted);
    return deleted;
  });
}

/** Undo of delete. */
export async function restoreProject(db: ProbescopeDb, projectId: string): Promise<ProjectRow> {
  return writeTransaction(db, `the restored project ${projectId}`, async () => {
    const project = await db.projects.get(projectId);
    if (project === undefined) throw new MissingRecordError(`project ${projectId} does not exist (it may have been purged)`);
    const restored = { ...project, deletedAt: null };
    await db.projects.put(restored);
    return restored;
  });
}

/**
 * Removes, for good, every project deleted before `deletedBefore` (epoch ms) together with all
 * of its parts, in one transaction. Returns how many projects were purged.
 */
export async function purgeDeletedProjects(db: ProbescopeDb, options: { deletedBefore: number }): Promise<number> {
  return writeTransaction(db, 'the purge of deleted projects', async () => {
    const doomed = (await db.projects.toArray()).filter((p) => p.deletedAt !== null && p.deletedAt < options.deletedBefore);
    for (const p of doomed) {
      for (const t of CHILD_TABLES) await childTable(db, t).where('projectId').equals(p.id).delete();
      await db.projects.delete(p.id);
    }
    return doomed.length;
  });
}
