/**
 * The registry methods the app's DLA, ablation, patching, LinearScope and ObsProp views run,
 * through the worker's generic `method` job on the built-in stories260K, with the params those
 * views send: the identities each method promises, progress counted in passes against the
 * method's plan, and a sweep stopped between passes when cancelled.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../../analysis/json.ts';
import type { AblateJson } from '../../analysis/registry/ablate-heads.ts';
import type { AttributionJson } from '../../analysis/registry/attribution-patching.ts';
import type { DlaJson } from '../../analysis/registry/dla.ts';
import type { AblationJson } from '../../analysis/registry/head-ablation.ts';
import type { LinearScopeJson } from '../../analysis/registry/linearscope.ts';
import type { ObsPropJson } from '../../analysis/registry/obsprop.ts';
import type { PatchingJson } from '../../analysis/registry/patching.ts';
import type { PathPatchingJson } from '../../analysis/registry/path-patching.ts';
import type { Progress } from './contracts.ts';
import { jobContext as context, storiesHandlers, tokenIds } from '../../test/stories-worker.ts';
import { JobCancelledError } from './job-context.ts';
import type { JobHandlers } from './runner.ts';

let h: JobHandlers;
let clean: number[];
let corrupted: number[];

/** The method job with the prompt workspace's prompts: the clean prompt 0, the corrupted prompt 1. */
async function method<R extends Json>(name: string, params: Record<string, unknown>, ctx = context()): Promise<R> {
  return (await h.method({ method: name, params, prompts: [{ ids: clean }, { ids: corrupted }] }, ctx)).result as R;
}

beforeAll(async () => {
  h = await storiesHandlers();
  clean = await tokenIds(h, 'Lily and Tim went to the park. Lily gave a ball to');
  corrupted = await tokenIds(h, 'Lily and Tim went to the park. Tim gave a ball to');
  expect(corrupted).toHaveLength(clean.length);
});

describe('the method job with the app views\' params', () => {
  it('DLA: components and biases sum to the metric; per source, a head\'s row sums to its contribution', async () => {
    const r = await method<DlaJson>('dla', { prompt: 0, position: -1, perSource: true });
    expect(r.total! + r.unembedBias!).toBeCloseTo(r.metric!, 3);
    expect(r.heads).toHaveLength(5);
    expect(r.sources![2][3].reduce<number>((a, v) => a + v!, 0)).toBeCloseTo(r.heads[2][3]!, 4);
  });

  it('the ablation sweep beside one head ablated alone: the same total effect', async () => {
    const progress: Progress[] = [];
    const sweep = await method<AblationJson>('head-ablation', { prompt: 0, mode: 'zero', position: -1 }, context(progress));
    // Planned before any pass: the clean run and one batch (all 40 heads fit one pass at this length); it ends at its count.
    expect(progress[0]).toMatchObject({ unit: 'passes', done: 0, total: 2 });
    expect(progress.at(-1)!.done).toBe(progress.at(-1)!.total);
    expect(sweep.layers).toEqual([0, 1, 2, 3, 4]);
    expect(sweep.totalEffect[4]).toHaveLength(8);
    const one = await method<AblateJson>('ablate-heads', { prompt: 0, heads: ['2.3'], mode: 'zero', position: sweep.position, answer: sweep.answer.id });
    expect(one.metric! - one.clean.metric!).toBeCloseTo(sweep.totalEffect[2][3]!, 4);
    // Resampling from the corrupted prompt (prompt 1), as the view sends it.
    const resampled = await method<AblateJson>('ablate-heads', { prompt: 0, heads: ['2.3'], mode: 'resample', resampleFrom: 1 });
    expect(resampled.mode).toBe('resample');
  });

  it('patching the residual stream before layer 0 restores the clean metric at the changed position; progress counts passes', async () => {
    const progress: Progress[] = [];
    const r = await method<PatchingJson>('activation-patching', { clean: 0, corrupted: 1, hook: 'resid_pre', byPosition: true, direction: 'denoising', position: -1 }, context(progress));
    expect(r.shape).toEqual([5, clean.length]);
    const changed = clean.findIndex((id, i) => id !== corrupted[i]);
    expect(r.normalized[changed]).toBeCloseTo(1, 2);
    // Counted in passes: beyond the clean and corrupted runs (reports are throttled in time, so
    // only the count, not the number of reports, is fixed).
    expect(progress.at(-1)!.total).toBeGreaterThan(2);
    expect(progress.every((p) => p.unit === 'passes' && p.done <= p.total)).toBe(true);
    expect(progress.at(-1)!.done).toBe(progress.at(-1)!.total);
  });

  it('embedding noise with a chosen σ: the result reports that σ', async () => {
    const r = (await h.method({ method: 'activation-patching', params: { clean: 0, corrupted: { noise: { positions: [3], sigma: 0.5, seed: 1 } }, hook: 'resid_pre', byPosition: false }, prompts: [{ ids: clean }] }, context())).result;
    expect((r as PatchingJson).noiseSigma).toBe(0.5);
  });

  it('cancels a patching sweep between passes', async () => {
    const ctx = context();
    const job = method('activation-patching', { clean: 0, corrupted: 1, hook: 'z', byPosition: true }, ctx);
    setTimeout(() => ctx.cancel(), 5);
    await expect(job).rejects.toBeInstanceOf(JobCancelledError);
  });

  it('path patching to the logits gives a [layer, head] grid; attribution patching compares with exact patching', async () => {
    const p = await method<PathPatchingJson>('path-patching', { clean: 0, corrupted: 1, senders: 'each-head', receivers: 'logits', recomputeMlps: false });
    expect(p.shape).toEqual([5, 8]);
    const a = await method<AttributionJson>('attribution-patching', { clean: 0, corrupted: 1, hook: 'resid_pre', byPosition: true, exact: true });
    expect(a.exact).toHaveLength(5 * clean.length);
    expect(a.attribution).toHaveLength(5 * clean.length);
  });

  it('LinearScope replays the logit exactly with the default target; ObsProp coupling has ones on its diagonal', async () => {
    const l = await method<LinearScopeJson>('linearscope', { prompt: 0, mode: 'secant', decodeTopK: 3 });
    expect(l.replay).toBeCloseTo(l.logit!, 3);
    expect(l.grid).toHaveLength(clean.length);
    const o = await method<ObsPropJson>('obsprop', { positive: [' he'], negative: [' she'], prompt: 0, scales: 'prompt', effects: 'zero', decodeTopK: 3, couplingHeads: 6 });
    expect(o.coupling.values).toHaveLength(6);
    expect(o.coupling.values[0][0]).toBeCloseTo(1, 6);
  });
});
