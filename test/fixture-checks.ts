/**
 * The fixture checks every fast backend is held to (test/fixtures-wasm.test.ts, the WebGPU
 * fixtures tests): logits, loss and cached hooks of every reference input against the float64
 * goldens, and agreement with the reference CPU backend at every hook point — with interventions,
 * and during KV-cached generation — plus stories260K's greedy continuation from BOS.
 */
import { beforeAll, expect, it } from 'vitest';
import type { Backend } from '../gpu/backend.ts';
import { createCpuBackend } from '../gpu/cpu/backend.ts';
import { hook } from '../analysis/hooks/points.ts';
import type { ActivationCache, Intervention } from '../analysis/hooks/interventions.ts';
import { generate } from '../analysis/model/generate.ts';
import type { Model } from '../analysis/model/model.ts';
import { run } from '../analysis/model/run.ts';
import { loadFixtureModel } from './fixture-model.ts';
import type { FixtureModel } from './reference.ts';
import { flatten, loadReference, worstMismatch } from './reference.ts';

/** ≤ 1e-4 absolute, or 1e-4 relative for values above 1 (issue 3's rule for fast backends). */
export function expectCachesAgree(got: ActivationCache, want: ActivationCache): void {
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const [name, w] of Object.entries(want)) {
    const g = got[name];
    expect(g.shape, name).toEqual(w.shape);
    expect(worstMismatch(g.data, w.data, 1e-4, 1e-4), name).toBeNull();
  }
}

/** The fixture on the backend under test and on the reference CPU backend. */
export interface FixturePair {
  readonly tested: Model;
  readonly reference: Model;
}

/**
 * Registers, in the caller's describe block, the three checks of fixture `name` on the backend
 * `backend()` returns (called once the file's beforeAll has opened it). Returns the loaded pair
 * for the caller's own checks. `referenceName` names the CPU backend in the test titles.
 */
export function fixtureChecks(name: FixtureModel, backend: () => Backend, referenceName: string): () => FixturePair {
  const ref = loadReference(name);
  let pair: FixturePair;
  beforeAll(async () => {
    pair = { tested: await loadFixtureModel(name, backend()), reference: await loadFixtureModel(name, createCpuBackend()) };
  });

  it('logits, loss and cached hooks of every input within 1e-4 + 1e-4·|ref|', async () => {
    const V = ref.d_vocab;
    for (const input of ref.inputs) {
      const r = await run(pair.tested, { ids: input.input_ids }, { capture: Object.keys(input.cache) });
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

  it(`agrees with ${referenceName} at every hook point, with interventions`, async () => {
    const { tested, reference } = pair;
    const ids = ref.inputs[0].input_ids;
    const last = reference.spec.nLayers - 1;
    const clean = await run(reference, { ids: [...ids].reverse() }, { capture: [hook.residPre(last)] });
    const interventions: Intervention[] = [
      { hook: hook.z(0), op: 'zero', head: 1 },
      { hook: hook.pattern(last), op: 'uniform', head: 0 },
      { hook: hook.mlpPost(0), op: 'scale', factor: 0.5, pos: [1, 2] },
      { hook: hook.z(last), op: 'mean', head: 2 },
      { hook: hook.residPre(last), op: 'replace', source: 'other', pos: 1 },
    ];
    const options = { capture: ['**'], interventions, caches: { other: clean.cache } };
    const [g, c] = [await run(tested, { ids }, options), await run(reference, { ids }, options)];
    expectCachesAgree(g.cache, c.cache);
    expect(worstMismatch(g.logits!.data, c.logits!.data, 1e-4, 1e-4)).toBeNull();
  });

  it(`agrees with ${referenceName} during KV-cached generation (captures at every step)`, async () => {
    const { tested, reference } = pair;
    const prompt = ref.inputs[0].input_ids.slice(0, 4);
    // Rotary models also capture layer 0's rotated keys (GPT-2 has none).
    const capture = ['blocks.*.attn.hook_pattern', 'blocks.*.hook_resid_post', hook.rotK(0)].filter((p) => p.includes('*') || reference.hookPoints.some((h) => h.name === p));
    const options = { maxNewTokens: 4, stopTokens: [], capture };
    const [g, c] = [await generate(tested, { ids: prompt }, options), await generate(reference, { ids: prompt }, options)];
    expect(g.newIds).toEqual(c.newIds);
    expect(g.steps.length).toBe(c.steps.length);
    g.steps.forEach((step, i) => expectCachesAgree(step, c.steps[i]));
  });

  return () => pair;
}

/** stories260K's 256-token greedy continuation from BOS (llama2.c's), token for token. */
export async function expectGreedyContinuation(backend: Backend): Promise<void> {
  const model = await loadFixtureModel('stories260K-hf', backend);
  const greedy = loadReference('stories260K-hf').greedy_from_bos!;
  const g = await generate(model, { ids: greedy.prompt_ids }, { maxNewTokens: 256, stopTokens: [] });
  expect(g.newIds).toEqual(greedy.new_tokens);
}
