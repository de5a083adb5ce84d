/**
 * Counting a method's forward passes and stopping it between them. Every forward pass ends with
 * a read-back (`backend.read`), so the model a definition is given (`meteredModel`) yields to the
 * event loop before each read (a cancel message from the host can arrive), stops when the signal
 * is aborted, and reports each finished pass against the plan the definition declared with
 * `ctx.plan(n)`. A definition may plan again once it knows more (e.g. work it found it can
 * skip): the new count replaces what was left, so the total may shrink. A bar never runs past
 * its end: a pass beyond the plan raises the total to the count done.
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
  private planned = false;

  constructor(private readonly ctx: RunContext) {}

  /** `passes` more passes are expected from now on (replacing any earlier plan's remainder). */
  plan(passes: number): void {
    const total = this.done + Math.max(0, Math.round(passes));
    // A re-plan that confirms the plan says nothing new.
    if (this.planned && total === this.total) return;
    this.planned = true;
    this.total = total;
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
        // An exact plan's last pass reports done = total; only an overrun raises the total.
        if (this.done > this.total) this.total = this.done;
        this.ctx.onProgress(this.done, this.total, 'passes');
      },
    });
  }

  /** The final report: every pass done (a plan that over-estimated ends at its count); none for a method without passes. */
  finish(): void {
    if (this.total > 0) this.ctx.onProgress(this.done, this.done, 'passes');
  }
}
