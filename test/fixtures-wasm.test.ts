/**
 * The fast CPU backend (gpu/wasm) held to what WebGPU is held to: every fixture reference
 * (independent float64 goldens) with the CPU tolerances, stories260K's 256-token greedy
 * continuation, and agreement with the reference CPU backend at every hook point — with
 * interventions, during KV-cached generation, and for gradients at every hook.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWasmBackend } from '../gpu/wasm/index.ts';
import type { WasmBackend } from '../gpu/wasm/index.ts';
import { gradients } from '../analysis/grad/gradients.ts';
import { logitDiff } from '../analysis/grad/metric.ts';
import { expectGreedyContinuation, fixtureChecks } from './fixture-checks.ts';
import type { FixtureModel } from './reference.ts';
import { FIXTURE_MODELS, loadReference, worstMismatch } from './reference.ts';

let fast: WasmBackend;
beforeAll(async () => {
  fast = await createWasmBackend({ threads: 2 });
});
afterAll(() => fast.close());

describe.each(FIXTURE_MODELS)('fast CPU backend, reference %s', (name: FixtureModel) => {
  const ref = loadReference(name);
  const models = fixtureChecks(name, () => fast, 'the reference backend');

  it('runs on the wasm backend', () => {
    expect(models().tested.backend.info.name).toBe('wasm');
  });

  it('gradients at every hook point agree with the reference backend', async () => {
    const { tested, reference } = models();
    const golden = ref.methods.gradients as { input_ids: number[]; clean_token: number; corrupted_token: number };
    const options = { metric: logitDiff(golden.clean_token, golden.corrupted_token), wrt: ['**'] };
    const [g, c] = [await gradients(tested, { ids: golden.input_ids }, options), await gradients(reference, { ids: golden.input_ids }, options)];
    expect(Math.abs(g.value - c.value)).toBeLessThan(1e-4);
    expect(Object.keys(g.grads).sort()).toEqual(Object.keys(c.grads).sort());
    expect(Object.keys(g.grads).length).toBeGreaterThan(10);
    for (const [hookName, cg] of Object.entries(c.grads)) {
      expect(worstMismatch(g.grads[hookName].data, cg.data, 1e-4, 1e-3), hookName).toBeNull();
    }
  });
});

describe('stories260K on the fast CPU backend', () => {
  it('the 256-token greedy continuation from BOS is identical, token for token', () => expectGreedyContinuation(fast));
});
