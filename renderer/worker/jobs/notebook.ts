/**
 * Notebook job: notebooks/runner.ts in the worker, on the open model, with its results cached
 * in the probe project (renderer/notebooks/project-cache.ts) and in this session's memory.
 *
 * - Progress counts cells: `done` is the number of cells finished, so the page knows which cell
 *   runs now from any single message (progress is throttled; none has to arrive).
 * - Cancel: every read-back of the model checkpoints (so a step stops between forward passes),
 *   and the runner's AbortSignal is aborted with it.
 * - A failing cell is a result, not an error: the page shows it on the cell, with the outputs of
 *   the cells above it (served from the cache by a second, cheap run).
 */
import type { Model } from '../../../analysis/model/model.ts';
import type { ResultCache } from '../../../notebooks/cache.ts';
import { MemoryCache } from '../../../notebooks/cache.ts';
import type { ModelHost, NotebookRun, RunEvent } from '../../../notebooks/runner.ts';
import { NotebookCancelledError, NotebookCellError, runNotebook } from '../../../notebooks/runner.ts';
import type { NotebookInput } from '../../../notebooks/schema.ts';
import type { NotebookPlan } from '../../../notebooks/validate.ts';
import { NotebookValidationError, validateNotebook } from '../../../notebooks/validate.ts';
import { LayeredCache } from '../../notebooks/layered-cache.ts';
import { ProjectResultCache } from '../../notebooks/project-cache.ts';
import { ProbescopeDb } from '../../storage/db.ts';
import type { Progress } from '../contracts.ts';
import { JobInputError } from '../errors.ts';
import type { JobContext } from '../job-context.ts';
import { JobCancelledError } from '../job-context.ts';
import type { NotebookCacheTarget, NotebookRunParams, NotebookRunResult } from '../notebook-contracts.ts';
import type { EngineSession, OpenModel } from '../session.ts';
import { watchedModel } from '../../../analysis/registry/watched-model.ts';

/** Results computed in this worker's lifetime, whatever project is open (keys are content hashes). */
const sessionCache = new MemoryCache();
const databases = new Map<string, ProbescopeDb>();

function projectCache(target: NotebookCacheTarget): ResultCache | null {
  if (target.kind !== 'project') return null;
  let db = databases.get(target.dbName);
  if (!db) databases.set(target.dbName, (db = new ProbescopeDb(target.dbName)));
  return new ProjectResultCache(db, target.projectId);
}

/** The runner's progress events as the protocol's Progress (unit: cells). */
export function cellProgress(event: RunEvent, total: number): Progress {
  switch (event.type) {
    case 'cell-start':
      return { done: event.index, total, unit: 'cells', stage: `${event.cell}` };
    case 'cell-progress': {
      const percent = `${Math.round(Math.min(1, Math.max(0, event.fraction)) * 100)}%`;
      return { done: event.index, total, unit: 'cells', stage: `${event.cell} · ${percent}${event.message ? ` · ${event.message}` : ''}` };
    }
    case 'cell-done':
      return { done: event.index + 1, total, unit: 'cells', stage: `${event.cell} ${event.cached ? 'from the cache' : 'done'}` };
  }
}

/** The one model the worker holds, under the notebook's name for it; any other name is an error that says what to do. */
function sessionModels(open: OpenModel, identity: string, ctx: JobContext, controller: AbortController): ModelHost {
  const check = (ref: string) => {
    if (ref !== open.card.label) {
      throw new Error(`this notebook uses the model "${ref}", but the open model is "${open.card.label}": open that model, or set the model cell to the open one`);
    }
  };
  return {
    identify: async (ref) => (check(ref), identity),
    async open(ref): Promise<Model> {
      check(ref);
      return watchedModel(open.model, {
        beforeRead: async () => {
          try {
            await ctx.checkpoint();
          } catch (e) {
            controller.abort();
            throw e;
          }
        },
      });
    },
  };
}

function planOf(notebook: NotebookInput, cells: number): NotebookPlan {
  try {
    return validateNotebook({ ...notebook, cells: notebook.cells.slice(0, cells) });
  } catch (e) {
    if (e instanceof NotebookValidationError) throw new JobInputError(`The notebook is not valid: ${e.message.replace(/^invalid notebook: /, '')}`);
    throw e;
  }
}

export async function notebookJob(session: EngineSession, params: NotebookRunParams, ctx: JobContext): Promise<NotebookRunResult> {
  const open = session.open;
  if (!open) throw new JobInputError('No model is open yet.');
  const count = params.upTo === undefined ? params.notebook.cells.length : Math.min(params.notebook.cells.length, params.upTo + 1);
  const plan = planOf(params.notebook, count);
  const controller = new AbortController();
  const cache = new LayeredCache(projectCache(params.cache), sessionCache);
  const counts = { computed: 0, cached: 0 };
  const onEvent = (event: RunEvent) => {
    if (event.type === 'cell-done' && plan.analyses.has(event.index)) counts[event.cached ? 'cached' : 'computed']++;
    const p = cellProgress(event, count);
    ctx.progress(p.done, p.total, p.unit, p.stage);
  };
  const run = (p: NotebookPlan, report: boolean): Promise<NotebookRun> =>
    runNotebook(p, {
      models: sessionModels(open, params.modelIdentity, ctx, controller),
      cache,
      backend: open.card.backend.name,
      signal: controller.signal,
      onEvent: report ? onEvent : undefined,
    });
  const finish = (outputs: NotebookRun['outputs'], failure: NotebookRunResult['failure']): NotebookRunResult => ({
    outputs,
    ...counts,
    backend: open.card.backend.name,
    failure,
    cacheProblems: [...cache.problems],
  });
  try {
    return finish((await run(plan, true)).outputs, null);
  } catch (e) {
    if (ctx.cancelled || e instanceof NotebookCancelledError) throw new JobCancelledError();
    if (!(e instanceof NotebookCellError)) throw e;
    // The cells above the failing one ran (their steps are cached now): show their outputs.
    const above = e.index > 0 ? (await run(planOf(params.notebook, e.index), false)).outputs : [];
    return finish(above, { index: e.index, cell: e.cell, message: e.message });
  }
}