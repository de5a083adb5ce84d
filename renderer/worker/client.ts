/**
 * The UI side of the worker protocol: start a job, follow its progress, cancel it, await its
 * result. One client per worker; jobs may run concurrently and are told apart by id.
 */
import type { JobError, Progress } from './contracts.ts';
import type { FromWorker, JobKind, JobParams, JobResult, ToWorker } from './protocol.ts';
import { parseFromWorker } from './protocol.ts';

/** The job was cancelled before it finished (not an error to show). */
export class JobCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'JobCancelled';
  }
}

/** The job failed; `error.message` is meant for the user. */
export class JobFailed extends Error {
  constructor(readonly error: JobError) {
    super(error.message);
    this.name = 'JobFailed';
  }
}

export interface JobHandle<K extends JobKind> {
  readonly id: number;
  readonly result: Promise<JobResult<K>>;
  cancel(): void;
}

/** What the client needs of a Worker (a MessagePort or a test double works too). */
export interface WorkerPort {
  postMessage(message: ToWorker, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
}

/** Where a Worker reports errors that escape it (script failed to load, out of memory). */
export interface WorkerErrors {
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly onProgress?: (progress: Progress) => void;
}

export class EngineClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly port: WorkerPort,
    errors?: WorkerErrors,
  ) {
    port.addEventListener('message', (event) => this.receive(event.data));
    // An error that escapes the worker ends every job in it: say so instead of waiting forever.
    errors?.addEventListener('error', (event) => this.failAll(`The engine stopped: ${event.message || 'the worker failed'}. Reload the page to start it again.`));
  }

  private failAll(message: string): void {
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(new JobFailed({ kind: 'internal', name: 'WorkerError', message }));
    }
  }

  start<K extends JobKind>(kind: K, params: JobParams<K>, onProgress?: (progress: Progress) => void): JobHandle<K> {
    const id = this.nextId++;
    const result = new Promise<JobResult<K>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, onProgress });
    });
    this.port.postMessage({ type: 'run', id, kind, params } as ToWorker);
    return { id, result, cancel: () => this.cancel(id) };
  }

  cancel(id: number): void {
    if (this.pending.has(id)) this.port.postMessage({ type: 'cancel', id });
  }

  private receive(data: unknown): void {
    const message: FromWorker | null = parseFromWorker(data);
    if (!message) return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    switch (message.type) {
      case 'progress':
        pending.onProgress?.(message.progress);
        return;
      case 'result':
        this.pending.delete(message.id);
        pending.resolve(message.result);
        return;
      case 'error':
        this.pending.delete(message.id);
        pending.reject(new JobFailed(message.error));
        return;
      case 'cancelled':
        this.pending.delete(message.id);
        pending.reject(new JobCancelled());
        return;
    }
  }
}

/** The app's engine: a module worker running renderer/worker/engine.worker.ts. */
export function createEngineClient(): EngineClient {
  const worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'probescope-engine' });
  return new EngineClient(worker, worker);
}
