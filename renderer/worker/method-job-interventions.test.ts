/**
 * The record of the interventions a job's model carried (method and generate jobs): the session's
 * list when the job took its model, not the page's last answer from `setInterventions`. A job started right after a
 * new list was posted runs with that list before the page hears back; a job started while a list
 * is still computing its prompt caches runs with the previous one. The numbers say which list
 * really ran (run-model on the plain model with that list), and the record must match them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Intervention } from '../../analysis/hooks/interventions.ts';
import { METHODS } from '../../analysis/registry/registry.ts';
import { jobContext as context, storiesHandlers, tokenIds } from '../../test/stories-worker.ts';
import { PROMPT_CACHES } from './intervention-contracts.ts';
import type { JobHandlers } from './runner.ts';
import { EngineSession } from './session.ts';

let h: JobHandlers;
let session: EngineSession;
let ids: number[];
let other: number[];

const ZERO: Intervention[] = [{ hook: 'blocks.3.attn.hook_z', op: 'zero', head: 2 }];
const SCALE: Intervention[] = [{ hook: 'blocks.1.hook_mlp_out', op: 'scale', factor: 3 }];
const REPLACE: Intervention[] = [{ hook: 'blocks.0.hook_resid_pre', op: 'replace', source: PROMPT_CACHES.corrupted }];

beforeAll(async () => {
  session = new EngineSession();
  h = await storiesHandlers(session);
  ids = await tokenIds(h, 'Lily went to the park');
  other = await tokenIds(h, 'Tim went to the park');
});

/** run-model's loss through the worker's method job, with what the job says it ran with. */
async function methodLoss(job: ReturnType<JobHandlers['method']>): Promise<{ loss: number; ranWith: readonly Intervention[] }> {
  const answer = await job;
  return { loss: (answer.result as { loss: number }).loss, ranWith: answer.interventions };
}

/** run-model's loss with `interventions` on the plain model: what a job with that list computes. */
async function referenceLoss(interventions: readonly Intervention[]): Promise<number> {
  const ctx = { prompts: { cell: 'p', items: [{ ids }, { ids: other }] }, dataset: null, signal: new AbortController().signal, onProgress() {} };
  const sources = interventions.some((iv) => iv.source === PROMPT_CACHES.corrupted) ? { [PROMPT_CACHES.corrupted]: 1 } : {};
  const json = (await METHODS.get('run-model')!.run(session.requirePlainModel(), { interventions: [...interventions], sources, topK: 1 }, ctx)) as unknown as { loss: number };
  return json.loss;
}

const runModel = () => h.method({ method: 'run-model', params: { topK: 1 }, prompts: [{ ids }] }, context());

describe('the method job reports the interventions its model carried', () => {
  it('a job posted right after a new list runs with it before the page has the answer', async () => {
    await h.setInterventions({ interventions: ZERO, prompts: {} }, context());
    // The page's record of the engine's list: updated only when setInterventions answers.
    let pageApplied: readonly Intervention[] = ZERO;
    const set = h.setInterventions({ interventions: SCALE, prompts: {} }, context()).then((r) => (pageApplied = r.applied));
    const pageAtStart = pageApplied;
    const job = await methodLoss(runModel());
    await set;
    expect(job.loss).toBe(await referenceLoss(SCALE));
    expect(job.loss).not.toBe(await referenceLoss(ZERO));
    expect(job.ranWith).toEqual(SCALE);
    // What the page knew when it started the run is not what ran.
    expect(pageAtStart).toEqual(ZERO);
  });

  it('a job started while a list is still reading its prompt cache runs with the previous list and says so', async () => {
    await h.setInterventions({ interventions: ZERO, prompts: {} }, context());
    const set = h.setInterventions({ interventions: REPLACE, prompts: { [PROMPT_CACHES.corrupted]: other } }, context());
    const job = methodLoss(runModel());
    const applied = (await set).applied;
    const { loss, ranWith } = await job;
    expect(applied).toEqual(REPLACE);
    expect(loss).toBe(await referenceLoss(ZERO));
    expect(loss).not.toBe(await referenceLoss(REPLACE));
    expect(ranWith).toEqual(ZERO);
    // Later jobs run with the new list, and say so.
    const after = await methodLoss(runModel());
    expect(after.ranWith).toEqual(REPLACE);
    expect(after.loss).toBe(await referenceLoss(REPLACE));
  });

  it('generation reports its list the same way, and the text is that list’s', async () => {
    await h.setInterventions({ interventions: [], prompts: {} }, context());
    const sampling = { ids, temperature: 0, topK: 0, topP: 1, seed: 0, maxNewTokens: 12 };
    const plain = await h.generate(sampling, context());
    void h.setInterventions({ interventions: SCALE, prompts: {} }, context());
    const scaled = await h.generate(sampling, context());
    expect(plain.interventions).toEqual([]);
    expect(scaled.interventions).toEqual(SCALE);
    expect(scaled.newTokens.map((t) => t.id)).not.toEqual(plain.newTokens.map((t) => t.id));
  });

  it('the plain model reports an empty list', async () => {
    await h.setInterventions({ interventions: [], prompts: {} }, context());
    const { loss, ranWith } = await methodLoss(runModel());
    expect(ranWith).toEqual([]);
    expect(loss).toBe(await referenceLoss([]));
  });
});
