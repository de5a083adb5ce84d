/**
 * Progress of a method call counted in forward passes (read-backs), against an estimate of how
 * many it will make: the methods take no progress callback, so the count comes from the watched
 * backend (job-context.ts). The estimate only grows, so the bar never runs past the end.
 */
import type { Model } from '../../../analysis/model/model.ts';
import type { JobContext } from '../job-context.ts';

export function passCounter(ctx: JobContext, model: Model, estimate: number, stage: string): Model {
  let done = 0;
  let total = Math.max(1, Math.round(estimate));
  ctx.progress(0, total, 'passes', stage);
  return ctx.watch(model, () => {
    done++;
    if (done >= total) total = done + 1;
    ctx.progress(done, total, 'passes', stage);
  });
}
