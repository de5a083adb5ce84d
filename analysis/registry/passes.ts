/**
 * Counting a method's forward passes and stopping it between them. Every forward pass ends with
 * a read-back (`backend.read`), so the model a definition is given (`meteredModel`) yields to the
 * event loop before each read (a cancel message from the host can arrive), stops when the signal
 * is aborted, and reports each finished pass against the plan the definition declared with
 * `ctx.plan(n)`. The total only grows, so a bar never runs past its end.
 */
import type { Model } from '../model/model.ts';
import type { RunContext } from './contract.ts';
import { watchedModel } from './watched-model.ts';
import { yieldToEventLoop } from './yield.ts';

/** Rejects with the signal's reason (an AbortError unless the host gave one) once it is aborted. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException('cancelled', 'AbortError');
}

export class PassMeter {
  private done = 0;
  private total = 0;

  constructor(private readonly ctx: RunContext) {}

  /** `passes` more passes are expected from now on. */
  plan(passes: number): void {
    this.total = Math.max(this.total, this.done + Math.max(0, Math.round(passes)));
    this.ctx.onProgress(this.done, this.total, 'passes');
  }

  /** The model whose read-backs are counted and checked for cancellation. */
  meter(model: Model): Model {
    return watchedModel(model, {
      beforeRead: async () => {
        throwIfAborted(this.ctx.signal);
        await yieldToEventLoop();
        throwIfAborted(this.ctx.signal);
      },
      afterRead: () => {
        this.done++;
        if (this.done >= this.total) this.total = this.done + 1;
        this.ctx.onProgress(this.done, this.total, 'passes');
      },
    });
  }

  /** The final report: every pass done (a plan that over-estimated ends at its count); none for a method without passes. */
  finish(): void {
    if (this.total > 0) this.ctx.onProgress(this.done, this.done, 'passes');
  }
}
