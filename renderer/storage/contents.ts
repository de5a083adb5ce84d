/**
 * A project as one unit: read all of it, give it fresh ids, write all of it. Duplicate and
 * import are both "read or build contents → remap → insert", and insertion uses `add`, which
 * fails on an existing key, so neither can ever overwrite a project that is already there.
 */
import type { ProbescopeDb } from './db.ts';
import { MissingRecordError } from './errors.ts';
import { newId } from './ids.ts';
import type { ChildTable, ProjectContents } from './records.ts';
import { CHILD_TABLES } from './records.ts';
import { childTable } from './tables.ts';
import type { ChildRows } from './tables.ts';

const byCreated = <T extends { createdAt: number }>(a: T, b: T) => a.createdAt - b.createdAt;

/** Every row of a project (deleted or not), children ordered by creation. */
export async function readProjectContents(db: ProbescopeDb, projectId: string): Promise<ProjectContents> {
  return db.transaction('r', [db.projects, ...CHILD_TABLES.map((t) => db[t])], async () => {
    const project = await db.projects.get(projectId);
    if (project === undefined) throw new MissingRecordError(`project ${projectId} does not exist`);
    const rows = <T extends (typeof CHILD_TABLES)[number]>(t: T) => childTable(db, t).where('projectId').equals(projectId).toArray();
    const [prompts, datasets, experiments, results, figures, probes, notebooks] = await Promise.all([
      rows('prompts'),
      rows('datasets'),
      rows('experiments'),
      rows('results'),
      rows('figures'),
      rows('probes'),
      rows('notebooks'),
    ]);
    return {
      project,
      prompts: prompts.sort(byCreated),
      datasets: datasets.sort(byCreated),
      experiments: experiments.sort(byCreated),
      results,
      figures: figures.sort(byCreated),
      probes: probes.sort(byCreated),
      notebooks: notebooks.sort(byCreated),
    };
  });
}

/**
 * The same contents under new ids: a new project id and a new id for every part, with the
 * links between parts (a result's experiment, a figure's experiment) following. A link to an
 * experiment that is not in the contents is an error, not silently kept.
 */
export function remapContents(contents: ProjectContents, project: { name: string; now: number }): ProjectContents {
  const projectId = newId();
  const experimentIds = new Map(contents.experiments.map((e) => [e.id, newId()]));
  const experimentId = (id: string, where: string): string => {
    const mapped = experimentIds.get(id);
    if (mapped === undefined) throw new MissingRecordError(`${where} refers to experiment ${id}, which is not in the project`);
    return mapped;
  };
  const fresh = <T extends { id: string }>(row: T) => ({ ...row, id: newId(), projectId });
  return {
    project: { ...contents.project, id: projectId, name: project.name, createdAt: project.now, updatedAt: project.now, deletedAt: null },
    prompts: contents.prompts.map(fresh),
    datasets: contents.datasets.map(fresh),
    experiments: contents.experiments.map((e) => ({ ...e, id: experimentId(e.id, 'experiment'), projectId })),
    results: contents.results.map((r) => ({ ...r, id: experimentId(r.id, `result ${r.id}`), projectId })),
    figures: contents.figures.map((f) => ({
      ...fresh(f),
      experimentId: f.experimentId === null ? null : experimentId(f.experimentId, `figure "${f.title}"`),
    })),
    probes: contents.probes.map(fresh),
    notebooks: contents.notebooks.map(fresh),
  };
}

/** Inside a write transaction: adds every row; fails (rolling back) if any id already exists. */
export async function insertProjectContents(db: ProbescopeDb, contents: ProjectContents): Promise<void> {
  await db.projects.add(contents.project);
  await addRows(db, 'prompts', contents.prompts);
  await addRows(db, 'datasets', contents.datasets);
  await addRows(db, 'experiments', contents.experiments);
  await addRows(db, 'results', contents.results);
  await addRows(db, 'figures', contents.figures);
  await addRows(db, 'probes', contents.probes);
  await addRows(db, 'notebooks', contents.notebooks);
}

async function addRows<T extends ChildTable>(db: ProbescopeDb, table: T, rows: readonly ChildRows[T][]): Promise<void> {
  if (rows.length > 0) await childTable(db, table).bulkAdd([...rows]);
}
