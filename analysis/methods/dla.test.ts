import { describe, expect, it } from 'vitest';
import { ARCHITECTURES, randomModel, SAMPLE_IDS } from '../../test/random-models.ts';
import { hook } from '../hooks/points.ts';
import { run } from '../model/run.ts';
import { directLogitAttribution } from './dla.ts';

const sum = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0);

describe.each(ARCHITECTURES)('direct logit attribution: %s', (type) => {
  // gpt2 gets a b_U so the b_U term of the identity is exercised.
  const model = randomModel(type, { unembedBias: type === 'gpt2' });
  const { nLayers: L, nHeads: H, dModel: d, dVocab: V } = model.spec;
  const layerNorm = model.spec.normalization === 'layernorm';

  it.each([
    { what: 'one logit, last position', options: {} },
    { what: 'logit difference at position 6', options: { answer: 9, wrong: 40, pos: 6 } },
    { what: 'uncentred', options: { answer: 3, wrong: 1, centred: false } },
  ])('components + b_U term = metric within 1e-4 ($what)', async ({ options }) => {
    const r = await directLogitAttribution(model, { ids: SAMPLE_IDS }, options);
    expect(Math.abs(r.total + r.unembedBias - r.metric)).toBeLessThanOrEqual(1e-4);
    expect(r.total).toBeCloseTo(sum(r.components.map((c) => c.value)), 12);
    if (type === 'gpt2') expect(Math.abs(r.unembedBias)).toBeGreaterThan(1e-3);
    const names = r.components.map((c) => c.name);
    const expected = [
      'embed',
      ...(model.spec.positional === 'learned' ? ['pos_embed'] : []),
      ...Array.from({ length: L }, (_, l) => [...Array.from({ length: H }, (_, h) => `L${l}H${h}`), `L${l}.attn_bias`, `L${l}.mlp`]).flat(),
      'ln_final.bias',
      ...(layerNorm && options.centred === false ? ['ln_final.mean_term'] : []),
    ];
    expect(names).toEqual(expected);
    expect(r.centred).toBe(layerNorm && options.centred !== false);
  });

  it('the metric and the default answer come from the clean logits', async () => {
    const clean = await run(model, { ids: SAMPLE_IDS });
    const row = Array.from(clean.logits!.data.subarray(6 * V, 7 * V));
    const r = await directLogitAttribution(model, { ids: SAMPLE_IDS }, { pos: 6 });
    expect(r.answer).toBe(row.indexOf(Math.max(...row)));
    expect(r.metric).toBe(row[r.answer]);
    const diff = await directLogitAttribution(model, { ids: SAMPLE_IDS }, { pos: -5, answer: 2, wrong: 7 });
    expect(diff.pos).toBe(6);
    expect(diff.metric).toBeCloseTo(row[2] - row[7], 12);
  });

  it('head components equal hook_result[pos] through the frozen norm, computed on the host', async () => {
    const pos = SAMPLE_IDS.length - 1;
    const r = await directLogitAttribution(model, { ids: SAMPLE_IDS }, { answer: 11, wrong: 12 });
    const c = await run(model, { ids: SAMPLE_IDS }, { capture: ['blocks.*.attn.hook_result', hook.lnFinalScale] });
    const s = c.cache[hook.lnFinalScale].data[pos];
    const wU = model.backend.data(model.weights.unembed);
    const gamma = model.backend.data(model.weights.lnFinal.w);
    const gu = Array.from({ length: d }, (_, i) => gamma[i] * (wU[11 * d + i] - wU[12 * d + i]));
    const mean = layerNorm ? sum(gu) / d : 0;
    for (let l = 0; l < L; l++) {
      const res = c.cache[hook.result(l)].data; // [1, pos, head, dModel]
      for (let h = 0; h < H; h++) {
        let expected = 0;
        for (let i = 0; i < d; i++) expected += (res[(pos * H + h) * d + i] * (gu[i] - mean)) / s;
        expect(Math.abs(r.heads[l][h] - expected), `L${l}H${h}`).toBeLessThanOrEqual(1e-5);
        expect(r.components.find((x) => x.name === `L${l}H${h}`)!.value).toBe(r.heads[l][h]);
      }
    }
  });

  it('per-neuron splits sum to each MLP, per-source splits to each head', async () => {
    const r = await directLogitAttribution(model, { ids: SAMPLE_IDS }, { answer: 4, wrong: 8, pos: 7, perNeuron: true, perSource: true });
    for (let l = 0; l < L; l++) {
      expect(r.neurons![l]).toHaveLength(model.spec.dMlp);
      expect(Math.abs(sum(r.neurons![l]) + r.mlpBias![l] - r.mlp[l])).toBeLessThanOrEqual(1e-5);
      for (let h = 0; h < H; h++) {
        const src = r.sources![l][h];
        expect(src).toHaveLength(SAMPLE_IDS.length);
        // Causal: nothing comes from positions after the query.
        expect(src.slice(8).every((x) => x === 0)).toBe(true);
        expect(Math.abs(sum(src) - r.heads[l][h])).toBeLessThanOrEqual(1e-5);
      }
    }
  });
});

describe('direct logit attribution errors', () => {
  const model = randomModel('qwen2');
  it('names the bad token or position', async () => {
    await expect(directLogitAttribution(model, { ids: SAMPLE_IDS }, { answer: 64 })).rejects.toThrow(/token id 64 is outside the vocabulary \[0, 64\)/);
    await expect(directLogitAttribution(model, { ids: SAMPLE_IDS }, { pos: -12 })).rejects.toThrow(/position -12 is outside a sequence of 11 tokens/);
  });
});
