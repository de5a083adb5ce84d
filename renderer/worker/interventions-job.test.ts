/**
 * The session's standing interventions: after `setInterventions`, every job (an older per-view
 * job and the generic method job) runs the intervened model, with the same numbers as the
 * CLI/notebook method `run-model` given the same interventions, and different numbers from the
 * plain model; compare-models runs both checkpoints with them; a new list (or none) replaces it;
 * bad entries are refused with their problems.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { METHODS } from '../../analysis/registry/registry.ts';
import { run } from '../../analysis/model/run.ts';
import { createHandlers } from './handlers.ts';
import { PROMPT_CACHES } from './intervention-contracts.ts';
import { WorkerJobContext } from './job-context.ts';
import type { JobHandlers } from './runner.ts';
import { EngineSession } from './session.ts';

const folder = path.resolve(import.meta.dirname, '../../models/stories260K');
const files = readdirSync(folder).map((name) => ({ path: name, file: new Blob([readFileSync(path.join(folder, name))]) }));
const context = () => new WorkerJobContext(() => {});

let session: EngineSession;
let h: JobHandlers;
let ids: number[];
let other: number[];
const ZERO = [{ hook: 'blocks.3.attn.hook_z', op: 'zero' as const, head: 2 }];

type RunModelJson = { top: { id: number; logit: number }[]; loss: number; cleanLoss: number; summary: string };

beforeAll(async () => {
  session = new EngineSession();
  h = createHandlers(session);
  await h.loadModel({ source: { kind: 'files', label: 'stories260K', files }, backend: 'cpu' }, context());
  const tokens = async (text: string) => (await h.tokenize({ text, prependBos: true }, context())).tokens.map((t) => t.id);
  ids = await tokens('Lily went to the park');
  other = await tokens('Tim went to the park');
  expect(other).toHaveLength(ids.length);
});

/** The CLI/notebook method run-model on the session's plain model. */
async function runModel(interventions: unknown[], sources: Record<string, number> = {}): Promise<RunModelJson> {
  const ctx = { prompts: { cell: 'p', items: [{ ids }, { ids: other }] }, dataset: null, signal: new AbortController().signal, onProgress() {} };
  return (await METHODS.get('run-model')!.run(session.requirePlainModel(), { interventions, sources, topK: 5 }, ctx)) as unknown as RunModelJson;
}

describe('standing interventions in the engine session', () => {
  it('a zero-ablation set once applies to the next-token job and the method job, as run-model computes it', async () => {
    const plain = await h.nextToken({ ids, topK: 5 }, context());
    const set = await h.setInterventions({ interventions: ZERO, prompts: {} }, context());
    expect(set.summary).toBe('stories260K\n  + zero blocks.3.attn.hook_z · head 2');
    const intervened = await h.nextToken({ ids, topK: 5 }, context());
    const reference = await runModel(ZERO);
    expect(intervened.candidates.map((c) => c.id)).toEqual(reference.top.map((t) => t.id));
    intervened.candidates.forEach((c, i) => expect(c.logit).toBeCloseTo(reference.top[i].logit, 5));
    expect(intervened.candidates.map((c) => c.logit)).not.toEqual(plain.candidates.map((c) => c.logit));

    // The generic method job: run-model without interventions of its own runs the intervened model.
    const viaMethod = (await h.method({ method: 'run-model', params: { topK: 5 }, prompts: [{ ids }] }, context())).result as unknown as RunModelJson;
    expect(viaMethod.loss).toBe(reference.loss);
    expect(viaMethod.loss).not.toBe(reference.cleanLoss);

    // An empty list makes the model plain again.
    await h.setInterventions({ interventions: [], prompts: {} }, context());
    expect((await h.nextToken({ ids, topK: 5 }, context())).candidates).toEqual(plain.candidates);
  });

  it('compare-models runs both checkpoints with the interventions (the same checkpoint twice: no difference)', async () => {
    await h.setInterventions({ interventions: ZERO, prompts: {} }, context());
    const r = await h.compareModels({ source: { kind: 'files', label: 'stories260K again', files }, ids }, context());
    expect(r.summary.maxAbsLogitDiff).toBe(0);
    expect(r.interventions).toEqual(ZERO);
    // Against the plain second checkpoint the ablation would show.
    const plain = await h.nextToken({ ids, topK: 1 }, context());
    await h.setInterventions({ interventions: [], prompts: {} }, context());
    expect((await h.nextToken({ ids, topK: 1 }, context())).candidates[0].logit).not.toBe(plain.candidates[0].logit);
  });

  it('replace and mean read the named prompt’s activations on the plain model', async () => {
    const replace = [{ hook: 'blocks.0.hook_resid_pre', op: 'replace' as const, source: PROMPT_CACHES.corrupted }];
    await h.setInterventions({ interventions: replace, prompts: { [PROMPT_CACHES.corrupted]: other } }, context());
    const job = await h.nextToken({ ids, topK: 3 }, context());
    // The whole residual stream is the other prompt's, so the logits are its logits.
    const otherLogits = (await run(session.requirePlainModel(), { ids: other }, { logits: 'last' })).logits!.data;
    job.candidates.forEach((c) => expect(c.logit).toBeCloseTo(otherLogits[c.id], 5));
    const reference = await runModel([{ ...replace[0], source: 'o' }], { o: 1 });
    expect(job.candidates.map((c) => c.id)).toEqual(reference.top.slice(0, 3).map((t) => t.id));

    const mean = [{ hook: 'blocks.1.hook_mlp_out', op: 'mean' as const, reference: PROMPT_CACHES.clean }];
    await h.setInterventions({ interventions: mean, prompts: { [PROMPT_CACHES.clean]: ids } }, context());
    const meaned = await h.nextToken({ ids, topK: 3 }, context());
    const lib = await runModel([{ ...mean[0], reference: 'c' }], { c: 0 });
    meaned.candidates.forEach((c, i) => expect(c.logit).toBeCloseTo(lib.top[i].logit, 5));
    await h.setInterventions({ interventions: [], prompts: {} }, context());
  });

  it('refuses a list with every problem named, and keeps the model as it was', async () => {
    await h.setInterventions({ interventions: ZERO, prompts: {} }, context());
    const bad = [
      { hook: 'blocks.9.hook_resid_pre', op: 'zero' as const },
      { hook: 'blocks.0.hook_resid_pre', op: 'replace' as const, source: PROMPT_CACHES.corrupted },
      { hook: 'blocks.0.hook_resid_pre', op: 'mean' as const },
    ];
    await expect(h.setInterventions({ interventions: bad.slice(0, 2), prompts: {} }, context())).rejects.toThrow(
      'intervention 1: hook "blocks.9.hook_resid_pre": this model has 5 layers (blocks.0 to blocks.4); intervention 2: source: there is no activation cache "corrupted prompt" (available: none)',
    );
    await expect(h.setInterventions({ interventions: bad.slice(2), prompts: {} }, context())).rejects.toThrow('intervention 1: "mean" needs a reference prompt here');
    expect(session.requireModel().standing?.interventions).toEqual(ZERO);
    // A new model starts plain.
    await h.loadModel({ source: { kind: 'files', label: 'stories260K', files }, backend: 'cpu' }, context());
    expect(session.requireModel().standing).toBeUndefined();
    expect((await h.hookPoints({}, context())).points.map((p) => p.name)).toContain('blocks.3.attn.hook_z');
  });
});
