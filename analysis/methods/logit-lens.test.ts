import { describe, expect, it } from 'vitest';
import { ARCHITECTURES, randomModel, SAMPLE_IDS } from '../../test/random-models.ts';
import { hook } from '../hooks/points.ts';
import { run } from '../model/run.ts';
import type { Model } from '../model/model.ts';
import type { CpuBackend } from '../../gpu/cpu/backend.ts';
import { logitLens } from './logit-lens.ts';

/** The lens of one residual row computed independently on the host in float64. */
function hostLens(model: Model & { backend: CpuBackend }, resid: Float32Array): Float64Array {
  const { spec, weights, backend } = model;
  const d = spec.dModel;
  const gamma = backend.data(weights.lnFinal.w);
  const beta = weights.lnFinal.b ? backend.data(weights.lnFinal.b) : new Float32Array(d);
  const layerNorm = spec.normalization === 'layernorm';
  const mean = layerNorm ? resid.reduce((a, x) => a + x, 0) / d : 0;
  const sq = resid.reduce((a, x) => a + (x - mean) ** 2, 0) / d;
  const s = Math.sqrt(sq + spec.normEps);
  const normed = Float64Array.from(resid, (x, i) => ((x - mean) / s) * gamma[i] + (layerNorm ? beta[i] : 0));
  const wU = backend.data(weights.unembed);
  const bU = weights.bUnembed ? backend.data(weights.bUnembed) : null;
  return Float64Array.from({ length: spec.dVocab }, (_, v) => {
    let acc = bU ? bU[v] : 0;
    for (let i = 0; i < d; i++) acc += wU[v * d + i] * normed[i];
    return acc;
  });
}

describe.each(ARCHITECTURES)('logit lens: %s', (type) => {
  const model = randomModel(type, { unembedBias: type === 'gpt2' });
  const L = model.spec.nLayers;
  const V = model.spec.dVocab;
  const S = SAMPLE_IDS.length;

  it('resid_pre mode has L+1 entries and the last equals the model logits at every position', async () => {
    const lens = await logitLens(model, { ids: SAMPLE_IDS }, { keepLogits: true, topK: 3 });
    const clean = await run(model, { ids: SAMPLE_IDS });
    expect(lens.entries.map((e) => e.layer)).toEqual([...Array(L + 1).keys()]);
    expect(lens.entries.map((e) => e.hook)).toEqual([...Array.from({ length: L }, (_, l) => hook.residPre(l)), hook.residPost(L - 1)]);
    const last = lens.logits!.data.subarray(L * S * V);
    let worst = 0;
    for (let i = 0; i < S * V; i++) worst = Math.max(worst, Math.abs(last[i] - clean.logits!.data[i]));
    expect(worst).toBeLessThanOrEqual(1e-4);
  });

  it('resid_post mode has L entries, the last again the model logits', async () => {
    const lens = await logitLens(model, { ids: SAMPLE_IDS }, { readFrom: 'resid_post', positions: [-1], keepLogits: true });
    const clean = await run(model, { ids: SAMPLE_IDS }, { logits: 'last' });
    expect(lens.entries.map((e) => e.hook)).toEqual(Array.from({ length: L }, (_, l) => hook.residPost(l)));
    const last = lens.logits!.data.subarray((L - 1) * V);
    for (let v = 0; v < V; v++) expect(Math.abs(last[v] - clean.logits!.data[v])).toBeLessThanOrEqual(1e-4);
  });

  it('every entry equals an independent float64 host computation of W_U · norm_final(resid) + b_U', async () => {
    const positions = [0, 4, S - 1];
    const lens = await logitLens(model, { ids: SAMPLE_IDS }, { positions, keepLogits: true });
    const cache = (await run(model, { ids: SAMPLE_IDS }, { capture: lens.entries.map((e) => e.hook) })).cache;
    const d = model.spec.dModel;
    lens.entries.forEach((e, ei) => {
      positions.forEach((p, pi) => {
        const expected = hostLens(model, cache[e.hook].data.slice(p * d, (p + 1) * d));
        const got = lens.logits!.data.subarray((ei * positions.length + pi) * V, (ei * positions.length + pi + 1) * V);
        for (let v = 0; v < V; v++) expect(Math.abs(got[v] - expected[v]), `${e.hook} pos ${p} token ${v}`).toBeLessThanOrEqual(1e-4);
      });
    });
  });

  it('top-k and target ranks/probabilities agree with the decoded logits', async () => {
    const targets = [5, 17, 60];
    const lens = await logitLens(model, { ids: SAMPLE_IDS }, { positions: [2, -1], topK: 4, targets, keepLogits: true });
    expect(lens.positions).toEqual([2, S - 1]);
    lens.entries.forEach((e, ei) => {
      e.readings.forEach((r, pi) => {
        const row = Array.from(lens.logits!.data.subarray((ei * 2 + pi) * V, (ei * 2 + pi + 1) * V));
        const order = row.map((_, i) => i).sort((a, b) => row[b] - row[a] || a - b);
        expect(r.top.map((t) => t.id)).toEqual(order.slice(0, 4));
        const lse = Math.log(row.reduce((a, x) => a + Math.exp(x), 0));
        for (const t of [...r.top, ...r.targets]) {
          expect(t.logprob).toBeCloseTo(row[t.id] - lse, 6);
          expect(t.prob).toBeCloseTo(Math.exp(row[t.id] - lse), 6);
        }
        expect(r.targets.map((t) => t.id)).toEqual(targets);
        r.targets.forEach((t) => expect(t.rank).toBe(order.indexOf(t.id)));
      });
    });
  });

  it('nextToken scores the input token at pos + 1 by the decoded logits, none after the last', async () => {
    const lens = await logitLens(model, { ids: SAMPLE_IDS }, { positions: [0, 5, -1], nextToken: true, keepLogits: true });
    lens.entries.forEach((e, ei) => {
      e.readings.forEach((r, pi) => {
        if (r.pos === S - 1) return expect(r.next).toBeNull();
        const row = Array.from(lens.logits!.data.subarray((ei * 3 + pi) * V, (ei * 3 + pi + 1) * V));
        const order = row.map((_, i) => i).sort((a, b) => row[b] - row[a] || a - b);
        const lse = Math.log(row.reduce((a, x) => a + Math.exp(x), 0));
        const want = SAMPLE_IDS[r.pos + 1];
        expect(r.next!.id).toBe(want);
        expect(r.next!.rank).toBe(order.indexOf(want));
        expect(r.next!.prob).toBeCloseTo(Math.exp(row[want] - lse), 6);
      });
    });
    const plain = await logitLens(model, { ids: SAMPLE_IDS }, { positions: [0] });
    expect(plain.entries[0].readings[0].next).toBeUndefined();
  });
});

describe('logit lens errors', () => {
  const model = randomModel('llama');
  it('names the bad position or target', async () => {
    await expect(logitLens(model, { ids: SAMPLE_IDS }, { positions: [SAMPLE_IDS.length] })).rejects.toThrow(/position 11 is outside a sequence of 11 tokens/);
    await expect(logitLens(model, { ids: SAMPLE_IDS }, { targets: [64] })).rejects.toThrow(/target token 64 is outside the vocabulary \[0, 64\)/);
    await expect(logitLens(model, { ids: [SAMPLE_IDS, SAMPLE_IDS] })).rejects.toThrow(/expected one sequence, got 2/);
  });
});
