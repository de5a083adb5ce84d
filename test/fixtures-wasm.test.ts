/**
 * The fast CPU backend (gpu/wasm) held to what WebGPU is held to: every fixture reference
 * (independent float64 goldens) with the CPU tolerances, stories260K's 256-token greedy
 * continuation, and agreement with the reference CPU backend at every hook point — with
 * interventions, during KV-cached generation, and for gradients at every hook.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../gpu/cpu/backend.ts';
import type { WasmBackend } from '../gpu/wasm/index.ts';
import { createWasmBackend } from '../gpu/wasm/index.ts';
import { gradients } from '../analysis/grad/gradients.ts';
import { logitDiff } from '../analysis/grad/metric.ts';
import { hook } from '../analysis/hooks/points.ts';
import type { ActivationCache, Intervention } from '../analysis/hooks/interventions.ts';
import { generate } from '../analysis/model/generate.ts';
import type { Model } from '../analysis/model/model.ts';
import { run } from '../analysis/model/run.ts';
import { loadFixtureModel } from './fixture-model.ts';
import type { FixtureModel } from './reference.ts';
import { FIXTURE_MODELS, flatten, loadReference, worstMismatch } from './reference.ts';

let fast: WasmBackend;
beforeAll(async () => {
  fast = await createWasmBackend({ threads: 2 });
});
afterAll(() => fast.close());

/** ≤ 1e-4 absolute, or 1e-4 relative for values above 1 (as for WebGPU). */
function expectAgree(onFast: ActivationCache, onRef: ActivationCache): void {
  expect(Object.keys(onFast).sort()).toEqual(Object.keys(onRef).sort());
  for (const [name, c] of Object.entries(onRef)) {
    const g = onFast[name];
    expect(g.shape, name).toEqual(c.shape);
    expect(worstMismatch(g.data, c.data, 1e-4, 1e-4), name).toBeNull();
  }
}

describe.each(FIXTURE_MODELS)('fast CPU backend, reference %s', (name: FixtureModel) => {
  const ref = loadReference(name);
  let onFast: Model;
  let onRef: Model;
  beforeAll(async () => {
    onFast = await loadFixtureModel(name, fast);
    onRef = await loadFixtureModel(name, createCpuBackend());
  });

  it('runs on the wasm backend', () => {
    expect(onFast.backend.info.name).toBe('wasm');
  });

  it('logits, loss and cached hooks of every input within 1e-4 + 1e-4·|ref|', async () => {
    const V = ref.d_vocab;
    for (const input of ref.inputs) {
      const r = await run(onFast, { ids: input.input_ids }, { capture: Object.keys(input.cache) });
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

  it('agrees with the reference backend at every hook point, with interventions', async () => {
    const ids = ref.inputs[0].input_ids;
    const last = onRef.spec.nLayers - 1;
    const clean = await run(onRef, { ids: [...ids].reverse() }, { capture: [hook.residPre(last)] });
    const interventions: Intervention[] = [
      { hook: hook.z(0), op: 'zero', head: 1 },
      { hook: hook.pattern(last), op: 'uniform', head: 0 },
      { hook: hook.mlpPost(0), op: 'scale', factor: 0.5, pos: [1, 2] },
      { hook: hook.z(last), op: 'mean', head: 2 },
      { hook: hook.residPre(last), op: 'replace', source: 'other', pos: 1 },
    ];
    const options = { capture: ['**'], interventions, caches: { other: clean.cache } };
    const [g, c] = [await run(onFast, { ids }, options), await run(onRef, { ids }, options)];
    expectAgree(g.cache, c.cache);
    expect(worstMismatch(g.logits!.data, c.logits!.data, 1e-4, 1e-4)).toBeNull();
  });

  it('agrees with the reference backend during KV-cached generation (captures at every step)', async () => {
    const prompt = ref.inputs[0].input_ids.slice(0, 4);
    const options = { maxNewTokens: 4, stopTokens: [], capture: ['blocks.*.attn.hook_pattern', 'blocks.*.hook_resid_post'] };
    const [g, c] = [await generate(onFast, { ids: prompt }, options), await generate(onRef, { ids: prompt }, options)];
    expect(g.newIds).toEqual(c.newIds);
    expect(g.steps.length).toBe(c.steps.length);
    g.steps.forEach((step, i) => expectAgree(step, c.steps[i]));
  });

  it('gradients at every hook point agree with the reference backend', async () => {
    const golden = ref.methods.gradients as { input_ids: number[]; clean_token: number; corrupted_token: number };
    const options = { metric: logitDiff(golden.clean_token, golden.corrupted_token), wrt: ['**'] };
    const [g, c] = [await gradients(onFast, { ids: golden.input_ids }, options), await gradients(onRef, { ids: golden.input_ids }, options)];
    expect(Math.abs(g.value - c.value)).toBeLessThan(1e-4);
    expect(Object.keys(g.grads).sort()).toEqual(Object.keys(c.grads).sort());
    expect(Object.keys(g.grads).length).toBeGreaterThan(10);
    for (const [hookName, cg] of Object.entries(c.grads)) {
      expect(worstMismatch(g.grads[hookName].data, cg.data, 1e-4, 1e-3), hookName).toBeNull();
    }
  });
});

describe('stories260K on the fast CPU backend', () => {
  it('the 256-token greedy continuation from BOS is identical, token for token', async () => {
    const model = await loadFixtureModel('stories260K-hf', fast);
    const greedy = loadReference('stories260K-hf').greedy_from_bos!;
    const g = await generate(model, { ids: greedy.prompt_ids }, { maxNewTokens: 256, stopTokens: [] });
    expect(g.newIds).toEqual(greedy.new_tokens);
  });
});
