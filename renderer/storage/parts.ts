/**
 * The parts of a project: prompts, datasets, experiments with their results, pinned figures,
 * trained probes, notebooks. Each save validates its data first (stored-value.ts), then writes
 * the part and bumps the project's `updatedAt` in one transaction: either both happen or
 * neither does, and a failure names what was being saved.
 */
import type { Intervention } from '../../analysis/hooks/interventions.ts';
import { parseInterventions } from '../../analysis/hooks/interventions.ts';
import type { ProbescopeDb } from './db.ts';
import { MissingRecordError } from './errors.ts';
import { checkName, newId } from './ids.ts';
import type {
  ChildTable,
  DatasetItem,
  DatasetRow,
  ExperimentRow,
  FigureRow,
  ModelReference,
  NotebookRow,
  ProbeRow,
  PromptRow,
  SavedIntervention,
} from './records.ts';
import { prepareStoredValue } from './stored-value.ts';
import type { StoredValue } from './stored-value.ts';
import { childTable, touchLiveProject, writeTransaction } from './tables.ts';
import type { ChildRows } from './tables.ts';

type Editable = 'prompts' | 'datasets' | 'probes' | 'notebooks';

/**
 * Inserts a new part (no `id`) or replaces an existing one of the same project (with `id`).
 * `build` receives the existing row, if any, and the time of the write.
 */
async function upsert<T extends Editable>(
  db: ProbescopeDb,
  table: T,
  projectId: string,
  id: string | undefined,
  what: string,
  build: (id: string, createdAt: number, now: number) => ChildRows[T],
): Promise<ChildRows[T]> {
  return writeTransaction(db, what, async () => {
    const now = Date.now();
    await touchLiveProject(db, projectId, now);
    let createdAt = now;
    if (id !== undefined) {
      const existing = await childTable(db, table).get(id);
      if (existing === undefined || existing.projectId !== projectId) throw new MissingRecordError(`${what}: no such ${table.slice(0, -1)} ${id} in this project`);
      createdAt = existing.createdAt;
    }
    const row = build(id ?? newId(), createdAt, now);
    await childTable(db, table).put(row);
    return row;
  });
}

/** Parts of one project, oldest first. */
export async function listParts<T extends ChildTable>(db: ProbescopeDb, table: T, projectId: string): Promise<ChildRows[T][]> {
  const rows = await childTable(db, table).where('projectId').equals(projectId).toArray();
  return rows.sort((a, b) => ('createdAt' in a && 'createdAt' in b ? a.createdAt - b.createdAt : 0));
}

/** Deletes one part (an experiment takes its result along and unlinks its figures). */
export async function deletePart(db: ProbescopeDb, table: Exclude<ChildTable, 'results'>, projectId: string, id: string): Promise<void> {
  await writeTransaction(db, `the deletion of ${table.slice(0, -1)} ${id}`, async () => {
    await touchLiveProject(db, projectId, Date.now());
    const existing = await childTable(db, table).get(id);
    if (existing === undefined || existing.projectId !== projectId) throw new MissingRecordError(`no ${table.slice(0, -1)} ${id} in project ${projectId}`);
    await childTable(db, table).delete(id);
    if (table === 'experiments') {
      await db.results.delete(id);
      await db.figures.where('projectId').equals(projectId).filter((f) => f.experimentId === id).modify({ experimentId: null });
    }
  });
}

// ---- prompts and datasets -------------------------------------------------------------------

export interface PromptInput {
  readonly id?: string;
  readonly name: string;
  readonly text: string;
  readonly corrupted?: string | null;
  /** The intervention list to keep with the prompt (omitted: none). */
  readonly interventions?: readonly SavedIntervention[];
}

/** A checked copy of a prompt's intervention list, present only when given. */
function savedInterventionsField(list: readonly SavedIntervention[] | undefined, what: string): { interventions?: SavedIntervention[] } {
  if (list === undefined) return {};
  list.forEach((s, i) => {
    if (typeof s.enabled !== 'boolean') throw new TypeError(`${what}: interventions[${i}].enabled must be true or false`);
  });
  const checked = interventionsField({ interventions: list.map((s) => s.intervention) }, what).interventions!;
  return { interventions: checked.map((intervention, i) => ({ enabled: list[i].enabled, intervention })) };
}

export async function savePrompt(db: ProbescopeDb, projectId: string, input: PromptInput): Promise<PromptRow> {
  const name = checkName(input.name, 'prompt name');
  if (typeof input.text !== 'string') throw new TypeError(`prompt "${name}": text must be a string`);
  const corrupted = input.corrupted ?? null;
  if (corrupted !== null && typeof corrupted !== 'string') throw new TypeError(`prompt "${name}": corrupted must be a string or null`);
  const interventions = savedInterventionsField(input.interventions, `prompt "${name}"`);
  return upsert(db, 'prompts', projectId, input.id, `prompt "${name}"`, (id, createdAt, now) => ({
    id, projectId, name, text: input.text, corrupted, ...interventions, createdAt, updatedAt: now,
  }));
}

export interface DatasetInput {
  readonly id?: string;
  readonly name: string;
  readonly items: readonly DatasetItem[];
}

export async function saveDataset(db: ProbescopeDb, projectId: string, input: DatasetInput): Promise<DatasetRow> {
  const name = checkName(input.name, 'dataset name');
  const items = input.items.map((item, i) => {
    const label = item.label ?? null;
    if (typeof item.text !== 'string') throw new TypeError(`dataset "${name}": items[${i}].text must be a string`);
    if (label !== null && typeof label !== 'string' && !(typeof label === 'number' && Number.isFinite(label))) {
      throw new TypeError(`dataset "${name}": items[${i}].label must be a string, a finite number or null`);
    }
    return { text: item.text, label };
  });
  return upsert(db, 'datasets', projectId, input.id, `dataset "${name}"`, (id, createdAt, now) => ({
    id, projectId, name, items, createdAt, updatedAt: now,
  }));
}

// ---- experiments ----------------------------------------------------------------------------

export interface ExperimentInput {
  readonly kind: string;
  readonly label?: string;
  readonly params: unknown;
  readonly result: unknown;
  readonly model?: ModelReference | null;
  /** The interventions the model ran with (omitted: none recorded). */
  readonly interventions?: readonly Intervention[];
}

/** The `interventions` field of an experiment row: a checked copy, present only when given. */
function interventionsField(input: Pick<ExperimentInput, 'interventions'>, what: string): { interventions?: Intervention[] } {
  if (input.interventions === undefined) return {};
  try {
    return { interventions: parseInterventions(input.interventions) };
  } catch (e) {
    throw new Error(`${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** Stores a finished analysis run: its parameters and its result (typed arrays kept binary). */
export async function saveExperiment(db: ProbescopeDb, projectId: string, input: ExperimentInput): Promise<ExperimentRow> {
  const kind = checkName(input.kind, 'experiment kind');
  const label = checkName(input.label ?? kind, 'experiment label');
  const what = `experiment "${label}"`;
  // Validated and copied before the transaction: nothing but IndexedDB may be awaited inside it.
  const params = prepareStoredValue(input.params, `${what} params`);
  const value = prepareStoredValue(input.result, `${what} result`);
  const interventions = interventionsField(input, what);
  return writeTransaction(db, what, async () => {
    const now = Date.now();
    const project = await touchLiveProject(db, projectId, now);
    const row: ExperimentRow = { id: newId(), projectId, kind, label, params, model: input.model ?? project.model, ...interventions, createdAt: now };
    await db.experiments.add(row);
    await db.results.add({ id: row.id, projectId, value });
    return row;
  });
}

/**
 * A run and the figure that shows it, saved together (one transaction): what "Pin to project"
 * does, so there is never a pinned figure without its data or the other way round.
 */
export async function saveExperimentWithFigure(
  db: ProbescopeDb,
  projectId: string,
  input: ExperimentInput & { readonly figure: Omit<FigureInput, 'experimentId'> },
): Promise<{ experiment: ExperimentRow; figure: FigureRow }> {
  const kind = checkName(input.kind, 'experiment kind');
  const label = checkName(input.label ?? kind, 'experiment label');
  const title = checkName(input.figure.title, 'figure title');
  const what = `experiment "${label}" with its figure`;
  const params = prepareStoredValue(input.params, `${what}: params`);
  const value = prepareStoredValue(input.result, `${what}: result`);
  const figure = prepareStoredValue(input.figure.figure, `${what}: figure`);
  const interventions = interventionsField(input, what);
  return writeTransaction(db, what, async () => {
    const now = Date.now();
    const project = await touchLiveProject(db, projectId, now);
    const experiment: ExperimentRow = { id: newId(), projectId, kind, label, params, model: input.model ?? project.model, ...interventions, createdAt: now };
    const pinned: FigureRow = { id: newId(), projectId, experimentId: experiment.id, title, figure, createdAt: now };
    await db.experiments.add(experiment);
    await db.results.add({ id: experiment.id, projectId, value });
    await db.figures.add(pinned);
    return { experiment, figure: pinned };
  });
}

/** An experiment's result, or undefined when there is no such experiment. */
export async function getExperimentResult(db: ProbescopeDb, experimentId: string): Promise<StoredValue | undefined> {
  return (await db.results.get(experimentId))?.value;
}

// ---- figures, probes, notebooks --------------------------------------------------------------

export interface FigureInput {
  readonly title: string;
  /** Plotly figure JSON ({data, layout}); typed arrays in traces are kept binary. */
  readonly figure: unknown;
  readonly experimentId?: string | null;
}

export async function pinFigure(db: ProbescopeDb, projectId: string, input: FigureInput): Promise<FigureRow> {
  const title = checkName(input.title, 'figure title');
  const what = `figure "${title}"`;
  const figure = prepareStoredValue(input.figure, what);
  const experimentId = input.experimentId ?? null;
  return writeTransaction(db, what, async () => {
    const now = Date.now();
    await touchLiveProject(db, projectId, now);
    if (experimentId !== null) {
      const experiment = await db.experiments.get(experimentId);
      if (experiment?.projectId !== projectId) throw new MissingRecordError(`${what}: no experiment ${experimentId} in this project`);
    }
    const row: FigureRow = { id: newId(), projectId, experimentId, title, figure, createdAt: now };
    await db.figures.add(row);
    return row;
  });
}

export interface ProbeInput {
  readonly id?: string;
  readonly name: string;
  /** The trained probe as JSON (weights may be typed arrays). */
  readonly probe: unknown;
}

export async function saveProbe(db: ProbescopeDb, projectId: string, input: ProbeInput): Promise<ProbeRow> {
  const name = checkName(input.name, 'probe name');
  const probe = prepareStoredValue(input.probe, `probe "${name}"`);
  return upsert(db, 'probes', projectId, input.id, `probe "${name}"`, (id, createdAt, now) => ({
    id, projectId, name, probe, createdAt, updatedAt: now,
  }));
}

export interface NotebookInput {
  readonly id?: string;
  readonly name: string;
  /** The notebook document (JSON, notebooks/ defines its schema). */
  readonly notebook: unknown;
}

export async function saveNotebook(db: ProbescopeDb, projectId: string, input: NotebookInput): Promise<NotebookRow> {
  const name = checkName(input.name, 'notebook name');
  const notebook = prepareStoredValue(input.notebook, `notebook "${name}"`);
  return upsert(db, 'notebooks', projectId, input.id, `notebook "${name}"`, (id, createdAt, now) => ({
    id, projectId, name, notebook, createdAt, updatedAt: now,
  }));
}
