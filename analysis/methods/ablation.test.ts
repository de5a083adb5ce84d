import { describe, expect, it } from 'vitest';
import { ARCHITECTURES, randomModel, SAMPLE_IDS } from '../../test/random-models.ts';
import { hook } from '../hooks/points.ts';
import { run } from '../model/run.ts';
import type { AblationMode } from './ablation.ts';
import { ablateHeads } from './ablation.ts';
import { headAblationSweep } from './ablation-sweep.ts';
import { directLogitAttribution } from './dla.ts';

const OTHER_IDS = [8, 1, 50, 22, 9, 13, 2, 61, 40, 42, 7];
const S = SAMPLE_IDS.length;

describe.each(ARCHITECTURES)('head ablation: %s', (type) => {
  const model = randomModel(type);
  const { nLayers: L, nHeads: H, dVocab: V, dHead: dh } = model.spec;
  const lastRow = (data: Float32Array, row = 0) => data.subarray((row * S + S - 1) * V, (row * S + S) * V);

  it('zero ablation equals running the hook_z zero intervention; metric, loss and KL follow from the logits', async () => {
    const r = await ablateHeads(model, { ids: SAMPLE_IDS }, { heads: [{ layer: 1, head: 2 }, { layer: 0, head: 1 }], mode: 'zero', answer: 5, wrong: 6 });
    const direct = await run(model, { ids: SAMPLE_IDS }, {
      interventions: [{ hook: hook.z(1), op: 'zero', head: 2 }, { hook: hook.z(0), op: 'zero', head: 1 }],
    });
    expect(Array.from(r.logits)).toEqual(Array.from(lastRow(direct.logits!.data)));
    expect(r.loss).toBe(direct.loss);
    expect(r.metric).toBe(r.logits[5] - r.logits[6]);
    const p = Array.from(r.clean.logits);
    const q = Array.from(r.logits);
    const lse = (x: number[]) => Math.log(x.reduce((a, v) => a + Math.exp(v), 0));
    const kl = p.reduce((a, v, i) => a + Math.exp(v - lse(p)) * (v - lse(p) - (q[i] - lse(q))), 0);
    expect(r.kl).toBeCloseTo(kl, 10);
    expect(r.kl).toBeGreaterThan(0);
  });

  it('resampling from the input itself and mean over a reference set equal to the input change nothing / equal plain mean', async () => {
    const same = await ablateHeads(model, { ids: SAMPLE_IDS }, { heads: [{ layer: 0, head: 3 }], mode: 'resample', resampleFrom: { ids: SAMPLE_IDS } });
    expect(Array.from(same.logits)).toEqual(Array.from(same.clean.logits));
    expect(same.kl).toBeCloseTo(0, 12);
    const plainMean = await ablateHeads(model, { ids: SAMPLE_IDS }, { heads: [{ layer: 0, head: 3 }], mode: 'mean' });
    const refMean = await ablateHeads(model, { ids: SAMPLE_IDS }, { heads: [{ layer: 0, head: 3 }], mode: 'mean', reference: { ids: [SAMPLE_IDS] } });
    for (let v = 0; v < V; v++) expect(Math.abs(refMean.logits[v] - plainMean.logits[v])).toBeLessThan(1e-5);
  });

  it('mean over a reference set averages the real tokens of every row (left padding excluded)', async () => {
    const short = OTHER_IDS.slice(0, 4);
    const r = await ablateHeads(model, { ids: SAMPLE_IDS }, { heads: [{ layer: 1, head: 0 }], mode: 'mean', reference: { ids: [OTHER_IDS, short] } });
    // The same mean from separate unpadded runs, patched in with a `replace` from a hand-built cache.
    const zs = await Promise.all([OTHER_IDS, short].map((ids) => run(model, { ids }, { capture: [hook.z(1)] })));
    const mean = new Array<number>(dh).fill(0);
    let n = 0;
    for (const z of zs) {
      const data = z.cache[hook.z(1)].data;
      const len = data.length / (H * dh);
      for (let p = 0; p < len; p++, n++) for (let k = 0; k < dh; k++) mean[k] += data[(p * H + 0) * dh + k];
    }
    const vector = new Array<number>(H * dh).fill(0);
    mean.forEach((m, k) => (vector[k] = m / n));
    const zShape = [1, S, H, dh];
    const manual = await run(model, { ids: SAMPLE_IDS }, {
      interventions: [{ hook: hook.z(1), op: 'replace', head: 0, source: 'mean' }],
      caches: { mean: { [hook.z(1)]: { shape: zShape, data: Float32Array.from({ length: S * H * dh }, (_, i) => vector[i % (H * dh)]) } } },
    });
    const expected = lastRow(manual.logits!.data);
    for (let v = 0; v < V; v++) expect(Math.abs(r.logits[v] - expected[v])).toBeLessThan(1e-5);
  });

  it.each<AblationMode>(['zero', 'mean', 'resample', 'uniform'])('the batched %s sweep gives the numbers of separate runs', async (mode) => {
    const resampleFrom = { ids: OTHER_IDS };
    const sweep = await headAblationSweep(model, { ids: SAMPLE_IDS }, { mode, resampleFrom, answer: 7, wrong: 30, batchSize: 3 });
    expect(sweep.layers).toEqual([...Array(L).keys()]);
    for (let l = 0; l < L; l++) {
      for (let h = 0; h < H; h++) {
        const one = await ablateHeads(model, { ids: SAMPLE_IDS }, { heads: [{ layer: l, head: h }], mode, resampleFrom, answer: 7, wrong: 30 });
        expect(Math.abs(sweep.metric[l][h] - one.metric), `${l}.${h} metric`).toBeLessThanOrEqual(1e-5);
        expect(Math.abs(sweep.loss[l][h] - one.loss!), `${l}.${h} loss`).toBeLessThanOrEqual(1e-5);
        expect(Math.abs(sweep.kl[l][h] - one.kl), `${l}.${h} kl`).toBeLessThanOrEqual(1e-6);
        expect(sweep.totalEffect[l][h]).toBeCloseTo(sweep.metric[l][h] - sweep.clean.metric, 10);
        expect(sweep.selfRepair[l][h]).toBeCloseTo(sweep.totalEffect[l][h] - sweep.directEffect[l][h], 10);
      }
    }
  });

  it('sweep DLA is the DLA of each head; zero ablation\'s direct effect is exactly −DLA', async () => {
    const sweep = await headAblationSweep(model, { ids: SAMPLE_IDS }, { mode: 'zero', answer: 7, wrong: 30 });
    const dla = await directLogitAttribution(model, { ids: SAMPLE_IDS }, { answer: 7, wrong: 30 });
    for (let l = 0; l < L; l++) {
      for (let h = 0; h < H; h++) {
        expect(sweep.dla[l][h]).toBeCloseTo(dla.heads[l][h], 10);
        expect(sweep.directEffect[l][h]).toBeCloseTo(-dla.heads[l][h], 10);
      }
    }
    expect(sweep.clean.metric).toBe(dla.metric);
  });
});

describe('head ablation errors', () => {
  const model = randomModel('gpt_neox');
  it('names the head, the missing input or the length mismatch', async () => {
    await expect(ablateHeads(model, { ids: SAMPLE_IDS }, { heads: [{ layer: 0, head: 4 }], mode: 'zero' })).rejects.toThrow(/head 0.4: head 4 is outside \[0, 4\)/);
    await expect(ablateHeads(model, { ids: SAMPLE_IDS }, { heads: [{ layer: 0, head: 1 }], mode: 'resample' })).rejects.toThrow(/needs an input to resample from/);
    await expect(ablateHeads(model, { ids: SAMPLE_IDS }, { heads: [{ layer: 0, head: 1 }], mode: 'resample', resampleFrom: { ids: [1, 2] } })).rejects.toThrow(/resample input has 2 tokens, the input has 11/);
    await expect(ablateHeads(model, { ids: SAMPLE_IDS }, { heads: [], mode: 'zero' })).rejects.toThrow(/no heads given/);
    await expect(headAblationSweep(model, { ids: SAMPLE_IDS }, { mode: 'zero', layers: [2] })).rejects.toThrow(/layer 2 is outside \[0, 2\)/);
  });
});
