/**
 * Path and activation patching localise the planted induction circuit: the path previous-token
 * head → induction head's key carries the whole effect, every other path is small, and activation
 * patching of hook_z singles out the two planted heads.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import type { Intervention } from '../hooks/interventions.ts';
import { hook } from '../hooks/points.ts';
import { modelOnBackend } from '../model/model.ts';
import { randomWeights, smallSpec } from '../model/random.ts';
import { run } from '../model/run.ts';
import { seededRandom } from '../model/sampling.ts';
import { activationPatching } from './patching.ts';
import { pathPatching } from './path-patching.ts';
import { INDUCTION, plantedCircuit, PREVIOUS_TOKEN } from '../../test/planted-circuit.ts';

const { model } = plantedCircuit({ dVocab: 64 });
const H = model.spec.nHeads;

/**
 * Clean: [r, r_0 … r_k], whose next token is r_{k+1} by induction. Corrupted: r_k replaced at its
 * first occurrence, so no earlier position is "after r_k" and the induction head has nothing to find.
 */
function inductionPrompt() {
  const random = seededRandom(7);
  const pool = Array.from({ length: model.spec.dVocab }, (_, i) => i).sort(() => random() - 0.5);
  const n = 12;
  const k = 5;
  const r = pool.slice(0, n);
  const clean = [...r, ...r.slice(0, k + 1)];
  const corrupt = [...clean];
  corrupt[k] = pool[n];
  return { clean, corruption: { kind: 'tokens', ids: corrupt } as const, metric: { answer: r[k + 1], wrong: pool[n + 1] } };
}

const index = (layer: number, head: number) => layer * H + head;

describe('circuit localisation on the planted model', () => {
  const prompt = inductionPrompt();

  it('the clean run predicts the induced token and the corrupted one does not', async () => {
    const r = await activationPatching(model, { ...prompt, hook: 'z', byPosition: false });
    expect(r.cleanMetric).toBeGreaterThan(10);
    expect(r.corruptedMetric).toBeLessThan(2);
  });

  it('path patching: previous-token head → induction head key carries the effect; other paths are small', async () => {
    const key = await pathPatching(model, { ...prompt, senders: 'each-head', receivers: [{ ...INDUCTION, input: 'k' }] });
    expect(key.shape).toEqual([2, H]);
    key.normalized.forEach((v, i) => {
      if (i === index(PREVIOUS_TOKEN.layer, PREVIOUS_TOKEN.head)) expect(v).toBeGreaterThan(0.95);
      else expect(Math.abs(v)).toBeLessThan(0.02);
    });
    for (const input of ['q', 'v'] as const) {
      const other = await pathPatching(model, { ...prompt, senders: 'each-head', receivers: [{ ...INDUCTION, input }] });
      expect(Math.max(...Array.from(other.normalized, Math.abs)), input).toBeLessThan(0.02);
    }
    const toLogits = await pathPatching(model, { ...prompt, senders: 'each-head', receivers: 'logits' });
    toLogits.normalized.forEach((v, i) => {
      if (i === index(INDUCTION.layer, INDUCTION.head)) expect(v).toBeGreaterThan(0.95);
      else expect(Math.abs(v)).toBeLessThan(0.02);
    });
  });

  it('a group of senders is patched together', async () => {
    const both = await pathPatching(model, { ...prompt, senders: [PREVIOUS_TOKEN, { layer: 0, head: 0 }], receivers: [{ ...INDUCTION, input: 'k' }] });
    expect(both.shape).toEqual([1]);
    expect(both.senders).toEqual([[PREVIOUS_TOKEN, { layer: 0, head: 0 }]]);
    expect(both.normalized[0]).toBeGreaterThan(0.95);
  });

  it('activation patching of hook_z over [layer, head] singles out the two planted heads', async () => {
    const r = await activationPatching(model, { ...prompt, hook: 'z', byPosition: false });
    r.normalized.forEach((v, i) => {
      if (i === index(PREVIOUS_TOKEN.layer, PREVIOUS_TOKEN.head) || i === index(INDUCTION.layer, INDUCTION.head)) expect(v).toBeGreaterThan(0.95);
      else expect(Math.abs(v)).toBeLessThan(0.02);
    });
    // Per position: the induction head matters at the last position (where the metric is read),
    // the previous-token head at position k+1, where it writes "previous token was r_k".
    const perPos = await activationPatching(model, { ...prompt, hook: 'z' });
    const S = prompt.clean.length;
    const at = (l: number, p: number, h: number) => perPos.normalized[(l * S + p) * H + h];
    expect(at(INDUCTION.layer, S - 1, INDUCTION.head)).toBeGreaterThan(0.95);
    expect(at(PREVIOUS_TOKEN.layer, 6, PREVIOUS_TOKEN.head)).toBeGreaterThan(0.95);
  });

  it('rejects heads and inputs that do not exist', async () => {
    await expect(pathPatching(model, { ...prompt, senders: [{ layer: 2, head: 0 }], receivers: 'logits' })).rejects.toThrow(
      /sender L2H0 is not a head of planted-circuit \(2 layers × 4 heads\)/,
    );
    await expect(pathPatching(model, { ...prompt, senders: [PREVIOUS_TOKEN], receivers: [] })).rejects.toThrow(/at least one receiver/);
  });
});

describe('path patching semantics on a random model with MLPs', () => {
  const spec = smallSpec('gpt2');
  const random = modelOnBackend({ label: 'random-gpt2', spec, weights: randomWeights(spec, 3), tokenizer: null }, createCpuBackend());
  const clean = [3, 17, 42, 5, 9, 33, 2, 61];
  const corrupt = [3, 17, 40, 5, 9, 12, 2, 61];
  const options = { clean, corruption: { kind: 'tokens', ids: corrupt } as const, metric: { answer: 7, wrong: 30 } };
  const sender = { layer: 0, head: 1 };

  it("sender → logits with everything frozen is the corrupted run plus the sender's direct change to the final residual", async () => {
    const path = await pathPatching(random, { ...options, senders: [sender], receivers: 'logits' });
    const capture = [hook.result(0)];
    const c = (await run(random, { ids: clean }, { capture })).cache[hook.result(0)];
    const k = (await run(random, { ids: corrupt }, { capture })).cache[hook.result(0)];
    const { dModel: d, nHeads: heads, nLayers: L } = spec;
    const adds: Intervention[] = clean.map((_, p) => ({
      hook: hook.residPost(L - 1),
      op: 'add',
      pos: p,
      vector: Array.from({ length: d }, (_, i) => c.data[(p * heads + sender.head) * d + i] - k.data[(p * heads + sender.head) * d + i]),
    }));
    const direct = await run(random, { ids: corrupt }, { interventions: adds });
    const V = spec.dVocab;
    const last = direct.logits!.data.subarray((clean.length - 1) * V, clean.length * V);
    expect(Math.abs(path.metric[0] - (last[7] - last[30]))).toBeLessThan(1e-5);
    // Letting the MLPs respond adds the paths through them: a different number.
    const viaMlps = await pathPatching(random, { ...options, senders: [sender], receivers: 'logits', recomputeMlps: true });
    expect(Math.abs(viaMlps.metric[0] - path.metric[0])).toBeGreaterThan(1e-4);
  });

  it("a sender at or above the receiver's layer has no path to it", async () => {
    const r = await pathPatching(random, { ...options, senders: 'each-head', receivers: [{ layer: 0, head: 2, input: 'q' }] });
    for (const v of r.metric) expect(v).toBe(r.corruptedMetric);
  });
});
