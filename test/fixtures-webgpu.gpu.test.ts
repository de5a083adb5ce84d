/**
 * Issue 3 acceptance on the WebGPU backend (Node, Dawn on SwiftShader in CI): every fixture
 * reference with the CPU tolerances, stories260K's 256-token greedy continuation, and CPU vs
 * WebGPU agreement at every hook point — with interventions, and during KV-cached generation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../gpu/cpu/backend.ts';
import type { WebGpuBackend } from '../gpu/webgpu/index.ts';
import { createNodeWebGpuBackend } from '../gpu/webgpu/node.ts';
import { hook } from '../analysis/hooks/points.ts';
import type { ActivationCache, Intervention } from '../analysis/hooks/interventions.ts';
import { generate } from '../analysis/model/generate.ts';
import type { Model } from '../analysis/model/model.ts';
import { run } from '../analysis/model/run.ts';
import { loadFixtureModel } from './fixture-model.ts';
import type { FixtureModel } from './reference.ts';
import { BASE_FIXTURE_MODELS, flatten, loadReference, worstMismatch } from './reference.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await createNodeWebGpuBackend();
});
afterAll(() => gpu.destroy());

/** CPU vs WebGPU: ≤ 1e-4 absolute, or 1e-4 relative for values above 1 (the rule). */
function expectAgree(onGpu: ActivationCache, onCpu: ActivationCache): void {
  expect(Object.keys(onGpu).sort()).toEqual(Object.keys(onCpu).sort());
  for (const [name, c] of Object.entries(onCpu)) {
    const g = onGpu[name];
    expect(g.shape, name).toEqual(c.shape);
    expect(worstMismatch(g.data, c.data, 1e-4, 1e-4), name).toBeNull();
  }
}

describe.each(BASE_FIXTURE_MODELS)('WebGPU reference %s', (name: FixtureModel) => {
  const ref = loadReference(name);
  let onGpu: Model;
  let onCpu: Model;
  beforeAll(async () => {
    onGpu = await loadFixtureModel(name, gpu);
    onCpu = await loadFixtureModel(name, createCpuBackend());
  });

  it('logits, loss and cached hooks of every input within 1e-4 + 1e-4·|ref|', async () => {
    const V = ref.d_vocab;
    for (const input of ref.inputs) {
      const r = await run(onGpu, { ids: input.input_ids }, { capture: Object.keys(input.cache) });
      if (input.logits) {
        expect(worstMismatch(r.logits!.data, flatten(input.logits).data), `${input.name} logits`).toBeNull();
      } else {
        input.logits_positions!.forEach((p, k) => {
          const row = flatten(input.logits_at_positions!).data.subarray(k * V, (k + 1) * V);
          expect(worstMismatch(r.logits!.data.subarray(p * V, (p + 1) * V), row), `${input.name} logits at ${p}`).toBeNull();
        });
      }
      expect(Math.abs(r.loss! - input.loss)).toBeLessThanOrEqual(1e-4);
      for (const [hookName, expected] of Object.entries(input.cache)) {
        expect(worstMismatch(r.cache[hookName].data, flatten(expected).data), `${input.name} ${hookName}`).toBeNull();
      }
    }
  });

  it('agrees with the CPU backend at every hook point, with interventions', async () => {
    const ids = ref.inputs[0].input_ids;
    const last = onCpu.spec.nLayers - 1;
    const clean = await run(onCpu, { ids: [...ids].reverse() }, { capture: [hook.residPre(last)] });
    const interventions: Intervention[] = [
      { hook: hook.z(0), op: 'zero', head: 1 },
      { hook: hook.pattern(last), op: 'uniform', head: 0 },
      { hook: hook.mlpPost(0), op: 'scale', factor: 0.5, pos: [1, 2] },
      { hook: hook.z(last), op: 'mean', head: 2 },
      { hook: hook.residPre(last), op: 'replace', source: 'other', pos: 1 },
    ];
    const options = { capture: ['**'], interventions, caches: { other: clean.cache } };
    const [g, c] = [await run(onGpu, { ids }, options), await run(onCpu, { ids }, options)];
    expectAgree(g.cache, c.cache);
    expect(worstMismatch(g.logits!.data, c.logits!.data, 1e-4, 1e-4)).toBeNull();
  });

  it('agrees with the CPU backend during KV-cached generation (captures at every step)', async () => {
    const prompt = ref.inputs[0].input_ids.slice(0, 4);
    const options = { maxNewTokens: 4, stopTokens: [], capture: ['blocks.*.attn.hook_pattern', 'blocks.*.hook_resid_post', hook.rotK(0)].filter((p) => onCpu.hookPoints.some((h) => h.name === p || p.includes('*'))) };
    const [g, c] = [await generate(onGpu, { ids: prompt }, options), await generate(onCpu, { ids: prompt }, options)];
    expect(g.newIds).toEqual(c.newIds);
    expect(g.steps.length).toBe(c.steps.length);
    g.steps.forEach((step, i) => expectAgree(step, c.steps[i]));
  });
});

describe('stories260K on WebGPU', () => {
  it('the 256-token greedy continuation from BOS is identical, token for token', async () => {
    const model = await loadFixtureModel('stories260K-hf', gpu);
    const greedy = loadReference('stories260K-hf').greedy_from_bos!;
    const g = await generate(model, { ids: greedy.prompt_ids }, { maxNewTokens: 256, stopTokens: [] });
    expect(g.newIds).toEqual(greedy.new_tokens);
  });
});
