/**
 * What a running job can do besides computing: report progress and stop when cancelled.
 *
 * Cancellation is cooperative. The UI's `cancel` message is an event on the worker's queue, so
 * it is only seen when the job yields to the event loop; `checkpoint()` yields (a macrotask, not
 * a microtask: awaiting a resolved promise would never let the message in) and throws
 * `JobCancelledError` once cancelled. Jobs call it between steps (layers, positions, samples),
 * and `hookCheckpoints` puts it inside engine calls via hook callbacks.
 */
import type { HookCallback } from '../../analysis/hooks/session.ts';
import type { Progress, ProgressUnit } from './contracts.ts';
import { yieldToEventLoop } from '../../analysis/registry/yield.ts';

export class JobCancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'JobCancelledError';
  }
}

export interface JobContext {
  readonly cancelled: boolean;
  /** Aborted (with a JobCancelledError) when the job is cancelled: the RunContext signal of registry methods. */
  readonly signal: AbortSignal;
  /** Reports progress (throttled; the last report of a stage is always sent). */
  progress(done: number, total: number, unit: ProgressUnit, stage: string): void;
  /** Yields to the event loop and throws JobCancelledError if the job was cancelled. */
  checkpoint(): Promise<void>;
  /**
   * Hook callbacks that checkpoint (and optionally report) once per layer of every forward pass
   * the engine runs with them, so a long engine call can be cancelled between layers.
   */
  hookCheckpoints(onLayer?: (layer: number) => void): HookCallback[];
}

/** Minimum time between progress messages, so a fast loop does not flood the UI. */
const PROGRESS_INTERVAL_MS = 50;

export class WorkerJobContext implements JobContext {
  private cancelFlag = false;
  private lastSent = 0;
  private readonly abort = new AbortController();

  constructor(private readonly send: (progress: Progress) => void) {}

  get cancelled(): boolean {
    return this.cancelFlag;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  cancel(): void {
    this.cancelFlag = true;
    this.abort.abort(new JobCancelledError());
  }

  progress(done: number, total: number, unit: ProgressUnit, stage: string): void {
    const now = performance.now();
    if (done < total && done > 0 && now - this.lastSent < PROGRESS_INTERVAL_MS) return;
    this.lastSent = now;
    this.send({ done, total, unit, stage });
  }

  async checkpoint(): Promise<void> {
    if (this.cancelFlag) throw new JobCancelledError();
    await yieldToEventLoop();
    if (this.cancelFlag) throw new JobCancelledError();
  }

  hookCheckpoints(onLayer?: (layer: number) => void): HookCallback[] {
    return [
      {
        hook: 'blocks.*.hook_resid_pre',
        fn: async (_x, ctx) => {
          onLayer?.(ctx.site.point.layer);
          await this.checkpoint();
        },
      },
    ];
  }
}
