/**
 * The hand-built induction circuit really copies in context, and only through its planted heads.
 */
import { describe, expect, it } from 'vitest';
import { hook } from '../analysis/hooks/points.ts';
import type { Intervention } from '../analysis/hooks/interventions.ts';
import { run } from '../analysis/model/run.ts';
import { copying, distinctRepeat } from './in-context-copying.ts';
import { INDUCTION, LOGIT_GAP, plantedCircuit, PREVIOUS_TOKEN } from './planted-circuit.ts';

describe('planted circuit', () => {
  const { model, previousTokenHead, inductionHead } = plantedCircuit();
  const n = 24;
  const ids = distinctRepeat(model.spec.dVocab, n, 1);

  it('is a 2-layer attention-only gpt2-type model with the documented heads', async () => {
    expect(model.spec).toMatchObject({ modelType: 'gpt2', nLayers: 2, positional: 'learned', normalization: 'layernorm', tiedEmbeddings: false });
    expect(previousTokenHead).toEqual(PREVIOUS_TOKEN);
    expect(inductionHead).toEqual(INDUCTION);
    const r = await run(model, { ids }, { capture: ['blocks.*.hook_mlp_out'] });
    for (let l = 0; l < 2; l++) expect(r.cache[hook.mlpOut(l)].data.every((x) => x === 0)).toBe(true);
  });

  it('copies in context: second-half loss far below the first half, top-1 accuracy ≈ 1', async () => {
    const first = await copying(model, ids, 1, n);
    const second = await copying(model, ids, n + 1, 2 * n);
    expect(second.accuracy).toBe(1);
    expect(second.loss).toBeLessThan(0.05);
    expect(first.loss).toBeGreaterThan(4); // ≥ log(128) ≈ 4.85 would be chance
    expect(first.accuracy).toBeLessThan(0.1);
    const long = distinctRepeat(model.spec.dVocab, 32, 2);
    expect((await copying(model, long, 33, 64)).accuracy).toBe(1);
  });

  it('the logit gap of a copied token is the planted one', async () => {
    const r = await run(model, { ids });
    const V = model.spec.dVocab;
    const t = 2 * n - 2;
    const row = r.logits!.data.subarray(t * V, (t + 1) * V);
    const sorted = Array.from(row).sort((a, b) => b - a);
    expect(row[ids[t + 1]]).toBe(sorted[0]);
    expect(sorted[0] - sorted[1]).toBeGreaterThan(0.8 * LOGIT_GAP);
  });

  it('zero-ablating the induction head destroys copying; ablating another layer-1 head does not', async () => {
    const zero = (h: { layer: number; head: number }): Intervention[] => [{ hook: hook.z(h.layer), op: 'zero', head: h.head }];
    const ablated = await copying(model, ids, n + 1, 2 * n, zero(INDUCTION));
    expect(ablated.accuracy).toBeLessThan(0.1);
    expect(ablated.loss).toBeGreaterThan(4);
    const prevAblated = await copying(model, ids, n + 1, 2 * n, zero(PREVIOUS_TOKEN));
    expect(prevAblated.accuracy).toBeLessThan(0.2);
    const control = await copying(model, ids, n + 1, 2 * n, zero({ layer: 1, head: 0 }));
    expect(control.accuracy).toBe(1);
    expect(control.loss).toBeLessThan(0.05);
  });
});
