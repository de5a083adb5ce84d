/**
 * Acceptance: every reference.json in test/fixtures (independent float64 references) — logits
 * and every cached hook within 1e-4 + 1e-4·|ref|, loss within 1e-4 — and stories260K against
 * llama2.c's own run.c output (logits at 8 positions, 256-token greedy continuation).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate } from '../analysis/model/generate.ts';
import { run } from '../analysis/model/run.ts';
import { loadFixtureModel } from './fixture-model.ts';
import type { FixtureModel } from './reference.ts';
import { FIXTURE_MODELS, FIXTURES, flatten, loadReference, worstMismatch } from './reference.ts';

/** The reference drops the batch axis; ours keeps it (batch 1). */
function dropBatch(shape: readonly number[]): number[] {
  return shape.slice(1);
}

describe.each(FIXTURE_MODELS)('reference %s', (name: FixtureModel) => {
  const ref = loadReference(name);
  ref.inputs.forEach((input, index) => {
    it(`input ${index} (${input.name}): logits, loss and every cached hook`, async () => {
      const model = await loadFixtureModel(name);
      const hooks = Object.keys(input.cache);
      const r = await run(model, { ids: input.input_ids }, { capture: hooks });
      const V = ref.d_vocab;
      const logits = r.logits!.data;
      if (input.logits) {
        const expected = flatten(input.logits);
        expect(worstMismatch(logits, expected.data)).toBeNull();
      } else {
        input.logits_positions!.forEach((p, k) => {
          const row = flatten(input.logits_at_positions!).data.subarray(k * V, (k + 1) * V);
          expect(worstMismatch(logits.subarray(p * V, (p + 1) * V), row), `position ${p}`).toBeNull();
        });
        input.top10_ids!.forEach((ids, p) => {
          const got = ids.map((id) => logits[p * V + id]);
          expect(worstMismatch(got, input.top10_logits![p]), `top-10 at ${p}`).toBeNull();
        });
      }
      expect(Math.abs(r.loss! - input.loss)).toBeLessThanOrEqual(1e-4);
      for (const hookName of hooks) {
        const expected = flatten(input.cache[hookName]);
        const got = r.cache[hookName];
        expect(dropBatch(got.shape), hookName).toEqual(expected.shape);
        expect(worstMismatch(got.data, expected.data), hookName).toBeNull();
      }
    });
  });
});

describe('stories260K against llama2.c run.c', () => {
  const runc = JSON.parse(readFileSync(`${FIXTURES}stories260K-hf/runc_reference.json`, 'utf8')) as {
    prompt_run: { steps: { pos: number; input_token: number; argmax: number; logits: number[] }[] };
    greedy_from_bos: { input_tokens: number[]; text: string };
  };
  it('logits at all 8 positions within 1e-4', async () => {
    const model = await loadFixtureModel('stories260K-hf');
    const steps = runc.prompt_run.steps;
    const r = await run(model, { ids: steps.map((s) => s.input_token) });
    const V = model.spec.dVocab;
    expect(steps.length).toBe(8);
    steps.forEach((step, p) => {
      const row = r.logits!.data.subarray(p * V, (p + 1) * V);
      expect(worstMismatch(row, step.logits, 1e-4, 0), `position ${p}`).toBeNull();
      expect(row.indexOf(Math.max(...row))).toBe(step.argmax);
    });
  });
  it('the 256-token greedy continuation from BOS is identical, token for token', async () => {
    const model = await loadFixtureModel('stories260K-hf');
    const greedy = loadReference('stories260K-hf').greedy_from_bos!;
    const g = await generate(model, { ids: greedy.prompt_ids }, { maxNewTokens: 256, stopTokens: [] });
    expect(g.newIds).toEqual(greedy.new_tokens);
    // run.c's own token stream: each step's input is the previous step's argmax.
    expect([...greedy.prompt_ids, ...g.newIds].slice(0, 256)).toEqual(runc.greedy_from_bos.input_tokens);
  });
});
