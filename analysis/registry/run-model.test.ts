import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { NodeFolderSource } from '../formats/node-source.ts';
import { builtinModelFolder } from '../model/builtin.ts';
import { loadHostModel } from '../model/load.ts';
import { modelOnBackend } from '../model/model.ts';
import { run } from '../model/run.ts';
import { METHODS } from './registry.ts';

const CLEAN = 'Lily went to the park';
/** " Tim" for " Lily": the same token length, so its activations can replace the clean ones. */
const OTHER = [1, 326, 263, 377, 267, 265, 282, 295, 433];

async function stories() {
  const host = await loadHostModel(new NodeFolderSource(builtinModelFolder('builtin:stories260K')));
  return modelOnBackend({ ...host, label: 'builtin:stories260K' }, createCpuBackend());
}

type Result = { top: { id: number; logit: number; prob: number; cleanProb: number }[]; loss: number; cleanLoss: number; summary: string; captures: { hook: string; shape: number[]; norms: number[] }[] };

describe('run-model', () => {
  it('is run() with the interventions: top-k logits, loss and capture norms; the clean run beside it', async () => {
    const model = await stories();
    const method = METHODS.get('run-model')!;
    const interventions = [{ hook: 'blocks.3.attn.hook_z', op: 'zero', head: 2 }];
    const ctx = { prompts: { cell: 'p', items: [{ text: CLEAN }, { ids: OTHER }] }, dataset: null, signal: new AbortController().signal, onProgress() {} };
    const r = (await method.run(model, { interventions, capture: ['blocks.1.hook_resid_post'], topK: 3 }, ctx)) as unknown as Result;
    const ids = [1, 317, 263, 377, 267, 265, 282, 295, 433];
    const lib = await run(model, { ids }, { interventions: interventions as never, capture: ['blocks.1.hook_resid_post'] });
    const V = model.spec.dVocab;
    const last = lib.logits!.data.subarray(lib.logits!.data.length - V);
    expect(r.top.map((t) => t.logit)).toEqual(r.top.map((t) => last[t.id]));
    expect(Math.max(...last)).toBe(r.top[0].logit);
    expect(r.loss).toBe(lib.loss);
    const clean = await run(model, { ids }, {});
    expect(r.cleanLoss).toBe(clean.loss);
    expect(r.loss).not.toBe(r.cleanLoss);
    const resid = lib.cache['blocks.1.hook_resid_post'];
    expect(r.captures[0].shape).toEqual([...resid.shape]);
    const d = resid.shape[2];
    expect(r.captures[0].norms[4]).toBeCloseTo(Math.hypot(...resid.data.subarray(4 * d, 5 * d)), 6);
    expect(r.summary).toBe('builtin:stories260K\n  + zero blocks.3.attn.hook_z · head 2');

    // A no-op intervention leaves the clean numbers; resample copies from a named source prompt.
    const noop = (await method.run(model, { interventions: [{ hook: 'blocks.0.hook_resid_pre', op: 'scale', factor: 1 }] }, ctx)) as unknown as Result;
    expect(noop.top.map((t) => t.prob)).toEqual(noop.top.map((t) => t.cleanProb));
    const resampled = (await method.run(model, { interventions: [{ hook: 'blocks.0.hook_resid_pre', op: 'resample', source: 'other' }], sources: { other: 1 } }, ctx)) as unknown as Result;
    // The whole residual stream comes from the other prompt, so the next-token logits are its logits.
    const other = (await run(model, { ids: OTHER }, {})).logits!.data;
    expect(resampled.top.map((t) => t.logit)).toEqual(resampled.top.map((t) => other[other.length - V + t.id]));
    await expect(method.run(model, { interventions: [{ hook: 'blocks.0.hook_resid_pre', op: 'resample', source: 'nope' }] }, ctx)).rejects.toThrow(/"nope" is not a named source/);
  });
});
