/**
 * Issue 14 on the WebGPU backend (Dawn on SwiftShader in CI), kept small: every input of every
 * newer-family fixture (logits, loss, every cached hook) against the float64 reference; golden (f)
 * gradients of Gemma-2 (softcaps and a window in the backward pass); KV-cached generation past
 * the window equal to the CPU backend's; Phi-3 longrope (short and long factors, attention factor)
 * equal to the CPU backend, which test/longrope.test.ts checks against the float64 forward.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../gpu/cpu/backend.ts';
import type { WebGpuBackend } from '../gpu/webgpu/index.ts';
import { sharedGpu } from '../gpu/webgpu/testing.ts';
import { gradients } from '../analysis/grad/gradients.ts';
import { logitDiff } from '../analysis/grad/metric.ts';
import { hook } from '../analysis/hooks/points.ts';
import { generate } from '../analysis/model/generate.ts';
import { run } from '../analysis/model/run.ts';
import { loadFixtureModel } from './fixture-model.ts';
import { LONGROPE, longropeModel } from './longrope-model.ts';
import type { FixtureModel } from './reference.ts';
import { flatten, loadReference, NEWER_FIXTURE_MODELS, worstMismatch } from './reference.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await sharedGpu();
});

describe.each(NEWER_FIXTURE_MODELS)('WebGPU reference %s', (name: FixtureModel) => {
  it('every input: logits, loss and every cached hook within 1e-4 + 1e-4·|ref|', async () => {
    const { inputs } = loadReference(name);
    const model = await loadFixtureModel(name, gpu);
    for (const input of inputs) {
      const r = await run(model, { ids: input.input_ids }, { capture: Object.keys(input.cache) });
      expect(worstMismatch(r.logits!.data, flatten(input.logits!).data), `${input.name} logits`).toBeNull();
      expect(Math.abs(r.loss! - input.loss), `${input.name} loss`).toBeLessThanOrEqual(1e-4 + 1e-4 * Math.abs(input.loss));
      for (const [hookName, expected] of Object.entries(input.cache)) {
        expect(worstMismatch(r.cache[hookName].data, flatten(expected).data), `${input.name} ${hookName}`).toBeNull();
      }
    }
  });
});

describe('Gemma-2 on WebGPU', () => {
  it('golden (f): gradients through softcaps and the window', async () => {
    const golden = loadReference('gemma2-tiny').methods.gradients as { input_ids: number[]; clean_token: number; corrupted_token: number; resid_pre: number[][][] };
    const model = await loadFixtureModel('gemma2-tiny', gpu);
    const r = await gradients(model, { ids: golden.input_ids }, { metric: logitDiff(golden.clean_token, golden.corrupted_token), wrt: [hook.residPre(0), hook.residPre(1)] });
    golden.resid_pre.forEach((expected, l) => expect(worstMismatch(r.grads[hook.residPre(l)].data, flatten(expected).data), `resid_pre ${l}`).toBeNull());
  });

  it('KV-cached generation past the window equals the CPU backend, step by step', async () => {
    const prompt = loadReference('gemma2-tiny').inputs[0].input_ids.slice(0, 3);
    const options = { maxNewTokens: 7, stopTokens: [], capture: [hook.residPost(1), hook.pattern(0)] };
    const [g, c] = [
      await generate(await loadFixtureModel('gemma2-tiny', gpu), { ids: prompt }, options),
      await generate(await loadFixtureModel('gemma2-tiny', createCpuBackend()), { ids: prompt }, options),
    ];
    expect(g.newIds).toEqual(c.newIds);
    g.steps.forEach((step, i) => {
      for (const name of Object.keys(c.steps[i])) {
        expect(step[name].shape, `${name} step ${i}`).toEqual(c.steps[i][name].shape);
        expect(worstMismatch(step[name].data, c.steps[i][name].data), `${name} step ${i}`).toBeNull();
      }
    });
  });
});

describe('Phi-3 longrope on WebGPU', () => {
  it('within and past the original context (short, long factors, attention factor): logits and rotated q/k equal the CPU backend', async () => {
    const [g, c] = [(await longropeModel(gpu)).model, (await longropeModel(createCpuBackend())).model];
    const ids = loadReference('phi3-tiny').inputs[0].input_ids;
    const capture = [hook.rotQ(0), hook.rotK(1)];
    for (const seq of [ids.slice(0, LONGROPE.originalMax), ids.slice(0, 7)]) {
      const [rg, rc] = [await run(g, { ids: seq }, { capture }), await run(c, { ids: seq }, { capture })];
      expect(worstMismatch(rg.logits!.data, rc.logits!.data), `${seq.length} tokens logits`).toBeNull();
      for (const name of capture) expect(worstMismatch(rg.cache[name].data, rc.cache[name].data), `${seq.length} tokens ${name}`).toBeNull();
    }
  });
});
