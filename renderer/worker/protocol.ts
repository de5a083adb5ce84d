/**
 * The message protocol between the UI thread and the engine worker.
 *
 * UI → worker: `run` (a job with a fresh id) and `cancel` (by id).
 * Worker → UI: any number of `progress` messages, then exactly one of `result`, `error` or
 * `cancelled` for that id.
 *
 * `JobSpecs` maps every job kind to its parameter and result types; adding a job is adding an
 * entry here and a handler in handlers.ts (the compiler checks the handler's types).
 */
import type * as C from './contracts.ts';
import type * as M from './method-contracts.ts';
import type * as N from './notebook-contracts.ts';
import type * as I from './intervention-contracts.ts';
import type * as D from './dictionary-contracts.ts';
import type { ChunkedDashboards } from '../../analysis/registry/dashboard-artifact.ts';

export interface JobSpecs {
  loadModel: { params: C.LoadModelParams; result: C.ModelCard };
  tokenize: { params: C.TokenizeParams; result: C.TokenizeResult };
  resolveToken: { params: C.ResolveTokenParams; result: C.ResolveTokenResult };
  compareBackends: { params: C.CompareBackendsParams; result: C.CompareBackendsResult };
  compareModels: { params: C.CompareModelsParams; result: C.CompareModelsResult };
  nextToken: { params: C.NextTokenParams; result: C.NextTokenResult };
  generate: { params: C.GenerateParams; result: C.GenerateResult };
  notebook: { params: N.NotebookRunParams; result: N.NotebookRunResult };
  method: { params: M.MethodJobParams; result: M.MethodJobResult };
  hookPoints: { params: Record<string, never>; result: I.HookPointsResult };
  setInterventions: { params: I.SetInterventionsParams; result: I.SetInterventionsResult };
  openDictionary: { params: D.OpenDictionaryParams; result: D.OpenedDictionaries };
  dashboards: { params: D.DashboardsJobParams; result: ChunkedDashboards };
}

export type JobKind = keyof JobSpecs;
export type JobParams<K extends JobKind> = JobSpecs[K]['params'];
export type JobResult<K extends JobKind> = JobSpecs[K]['result'];

/** Every kind, for runtime checks of incoming messages. */
export const JOB_KINDS = [
  'loadModel',
  'tokenize',
  'resolveToken',
  'compareBackends',
  'compareModels',
  'nextToken',
  'generate',
  'notebook',
  'method',
  'hookPoints',
  'setInterventions',
  'openDictionary',
  'dashboards',
] as const satisfies readonly JobKind[];

// Fails to compile when JOB_KINDS misses a kind of JobSpecs.
type MissingKinds = Exclude<JobKind, (typeof JOB_KINDS)[number]>;
const _allKindsListed: MissingKinds extends never ? true : never = true;

export type RunMessage = { [K in JobKind]: { readonly type: 'run'; readonly id: number; readonly kind: K; readonly params: JobParams<K> } }[JobKind];
export interface CancelMessage {
  readonly type: 'cancel';
  readonly id: number;
}
export type ToWorker = RunMessage | CancelMessage;

export interface ProgressMessage {
  readonly type: 'progress';
  readonly id: number;
  readonly progress: C.Progress;
}
export type ResultMessage = { [K in JobKind]: { readonly type: 'result'; readonly id: number; readonly kind: K; readonly result: JobResult<K> } }[JobKind];
export interface ErrorMessage {
  readonly type: 'error';
  readonly id: number;
  readonly error: C.JobError;
}
export interface CancelledMessage {
  readonly type: 'cancelled';
  readonly id: number;
}
export type FromWorker = ProgressMessage | ResultMessage | ErrorMessage | CancelledMessage;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function isJobKind(v: unknown): v is JobKind {
  return typeof v === 'string' && (JOB_KINDS as readonly string[]).includes(v);
}

function hasId(v: Record<string, unknown>): boolean {
  return typeof v.id === 'number' && Number.isSafeInteger(v.id);
}

/**
 * Checks the envelope of a message arriving in the worker. Parameters are typed by the sender
 * (the same app, compiled together); handlers validate values that matter (ranges, lengths).
 */
export function parseToWorker(data: unknown): ToWorker | null {
  if (!isRecord(data) || !hasId(data)) return null;
  if (data.type === 'cancel') return data as unknown as CancelMessage;
  if (data.type === 'run' && isJobKind(data.kind) && isRecord(data.params)) return data as unknown as RunMessage;
  return null;
}

/** Checks the envelope of a message arriving from the worker. */
export function parseFromWorker(data: unknown): FromWorker | null {
  if (!isRecord(data) || !hasId(data)) return null;
  switch (data.type) {
    case 'progress':
      return isRecord(data.progress) ? (data as unknown as ProgressMessage) : null;
    case 'result':
      return isJobKind(data.kind) && 'result' in data ? (data as unknown as ResultMessage) : null;
    case 'error':
      return isRecord(data.error) && typeof data.error.message === 'string' ? (data as unknown as ErrorMessage) : null;
    case 'cancelled':
      return data as unknown as CancelledMessage;
    default:
      return null;
  }
}
