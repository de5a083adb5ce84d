/**
 * Dispatches `run`/`cancel` messages to job handlers and answers with progress, then exactly
 * one result, error or cancelled message per job. Independent of the Worker global so it can
 * be tested in Node with a fake `post`.
 */
import type { Progress } from './contracts.ts';
import { toJobError } from './errors.ts';
import type { JobContext } from './job-context.ts';
import { JobCancelledError, WorkerJobContext } from './job-context.ts';
import type { FromWorker, JobKind, JobParams, JobResult, RunMessage, ToWorker } from './protocol.ts';
import { transferablesOf } from './transfer.ts';

export type JobHandler<K extends JobKind> = (params: JobParams<K>, ctx: JobContext) => Promise<JobResult<K>>;
export type JobHandlers = { readonly [K in JobKind]: JobHandler<K> };

export type Post = (message: FromWorker, transfer: Transferable[]) => void;

export class JobRunner {
  private readonly running = new Map<number, WorkerJobContext>();

  constructor(
    private readonly handlers: JobHandlers,
    private readonly post: Post,
  ) {}

  receive(message: ToWorker): void {
    if (message.type === 'cancel') {
      this.running.get(message.id)?.cancel();
      return;
    }
    void this.run(message);
  }

  /** Ids of jobs still running (for tests). */
  get active(): number[] {
    return [...this.running.keys()];
  }

  private async run(message: RunMessage): Promise<void> {
    const { id } = message;
    const ctx = new WorkerJobContext((progress: Progress) => this.post({ type: 'progress', id, progress }, []));
    this.running.set(id, ctx);
    try {
      const result = await this.dispatch(message, ctx);
      if (ctx.cancelled) {
        this.post({ type: 'cancelled', id }, []);
      } else {
        const answer = { type: 'result', id, kind: message.kind, result } as FromWorker;
        this.post(answer, transferablesOf(result));
      }
    } catch (e) {
      if (e instanceof JobCancelledError || ctx.cancelled) this.post({ type: 'cancelled', id }, []);
      else this.post({ type: 'error', id, error: toJobError(e) }, []);
    } finally {
      this.running.delete(id);
    }
  }

  private dispatch(message: RunMessage, ctx: JobContext): Promise<unknown> {
    // The union of (kind, params) pairs is correlated; TypeScript cannot follow that through an
    // indexed access, so the handler is looked up with its kind's own type.
    const handler = this.handlers[message.kind] as JobHandler<typeof message.kind>;
    return (handler as (p: typeof message.params, c: JobContext) => Promise<unknown>)(message.params, ctx);
  }
}
