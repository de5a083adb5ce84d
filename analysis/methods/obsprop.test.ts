/**
 * ObsProp: the identities of the issue (a head's feature reproduces its direct contribution per
 * source token in a model without norms; coupling coefficients), the MLP gradient against float64
 * finite differences, the zero crossing, the norm pull-back as a transposed Jacobian, token
 * resolution, and the planted induction circuit.
 */
import { describe, expect, it } from 'vitest';
import type { HostWeight, Tensor } from '../../gpu/backend.ts';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { unaryGradScalar, unaryScalar } from '../../gpu/cpu/backend.ts';
import { loadFixtureModel } from '../../test/fixture-model.ts';
import type { HookCallback } from '../hooks/session.ts';
import { hook } from '../hooks/points.ts';
import type { Model } from '../model/model.ts';
import { modelOnBackend } from '../model/model.ts';
import { gaussian, randomWeights, smallSpec } from '../model/random.ts';
import { run } from '../model/run.ts';
import type { ModelSpec } from '../model/spec.ts';
import { obsprop } from './obsprop.ts';
import {
  cosineSimilarity,
  couplingCoefficient,
  headOvPullback,
  mlpPullback,
  mlpValues,
  mlpZeroCrossing,
  normPullback,
  pathFeature,
  resolveToken,
  unembedFeature,
} from './obsprop-features.ts';
import { plantedCircuit } from '../../test/planted-circuit.ts';

function randomVector(n: number, seed: number, scale = 1): Float64Array {
  const normal = gaussian(seed);
  return Float64Array.from({ length: n }, () => scale * normal());
}

function ones(name: string, n: number): HostWeight {
  return { name, dtype: 'F32', shape: [n], data: new Float32Array(n).fill(1) };
}

/**
 * A random Llama-type model (GQA: 4 heads on 2 kv heads) turned norm-free: every RMSNorm gain is
 * 1 and the callbacks below replace every norm's scale by 1, so each norm is the identity and
 * the residual stream reaches the unembedding unchanged. (RMSNorm, not LayerNorm: with the scale
 * forced to 1 LayerNorm would still subtract the mean.)
 */
function normFreeModel(): { model: Model; callbacks: HookCallback[] } {
  const spec = smallSpec('llama');
  const w = randomWeights(spec, 11);
  const weights = {
    ...w,
    blocks: w.blocks.map((b, l) => ({ ...b, ln1: { w: ones(`ln1.${l}`, spec.dModel) }, ln2: { w: ones(`ln2.${l}`, spec.dModel) } })),
    lnFinal: { w: ones('lnFinal', spec.dModel) },
  };
  const model = modelOnBackend({ label: 'norm-free-llama', spec, weights, tokenizer: null }, createCpuBackend());
  const unitScale: HookCallback['fn'] = (x, ctx) => ctx.backend.fill(x.shape, 1);
  return { model, callbacks: [{ hook: 'blocks.*.ln*.hook_scale', fn: unitScale }, { hook: hook.lnFinalScale, fn: unitScale }] };
}

async function host(model: Model, t: Tensor): Promise<Float32Array> {
  return (await model.backend.read([t]))[0];
}

describe('ObsProp identities in a model without norms', () => {
  const { model, callbacks } = normFreeModel();
  const { dModel: d, nHeads: H, dVocab: V } = model.spec;
  const ids = [3, 17, 42, 5, 9, 33, 2, 61, 17, 42];
  const S = ids.length;
  const dst = S - 1;
  const positive = [7, 20];
  const negative = [33];

  it("pattern[dst, j] · (y · x_j) is the head's direct contribution through source j to n·logits (GQA heads, both layers)", async () => {
    const r = await obsprop(model, { positive, negative, prompt: { ids }, hookOptions: { callbacks }, effects: 'none', topK: 0, similarity: false });
    expect(r.scales.final).toBe(1);
    expect(r.scales.ln1).toEqual([1, 1]);
    const wU = await host(model, model.weights.unembed);
    /** n · W_U r for a residual vector r (final norm is the identity here, no b_U). */
    const readout = (row: ArrayLike<number>) => {
      let s = 0;
      for (let i = 0; i < d; i++) {
        for (const t of positive) s += wU[t * d + i] * row[i];
        for (const t of negative) s -= wU[t * d + i] * row[i];
      }
      return s;
    };
    const clean = await run(model, { ids }, { callbacks, capture: ['blocks.*.attn.hook_pattern', 'blocks.*.attn.hook_result', 'blocks.*.hook_resid_pre'] });
    for (const [layer, head] of [[0, 3], [1, 1], [1, 2]]) {
      const feature = r.heads[layer][head];
      const pattern = clean.cache[hook.pattern(layer)].data; // [1, head, pos, kvPos]
      const p = (j: number) => pattern[(head * S + dst) * S + j];
      const x = clean.cache[hook.residPre(layer)].data;
      // Without norms the per-token score is y · x_j, with y at resid_pre.
      for (let j = 0; j < S; j++) {
        let yx = 0;
        for (let i = 0; i < d; i++) yx += feature.feature[i] * x[j * d + i];
        expect(feature.scores![j]).toBeCloseTo(yx, 6);
      }
      // Source j alone: make the head attend only to j at dst, read its hook_result there.
      for (const j of [0, 3, 8, dst]) {
        const oneHot: HookCallback = {
          hook: hook.pattern(layer),
          fn: async (t, ctx) => {
            const [data] = await ctx.backend.read([t]);
            const row = data.subarray((head * S + dst) * S, (head * S + dst + 1) * S);
            row.fill(0);
            row[j] = 1;
            return ctx.backend.upload(data, t.shape);
          },
        };
        const only = await run(model, { ids }, { callbacks: [...callbacks, oneHot], capture: [hook.result(layer)] });
        const result = only.cache[hook.result(layer)].data.subarray((dst * H + head) * d, (dst * H + head + 1) * d);
        const contribution = p(j) * readout(result);
        const predicted = p(j) * feature.scores![j];
        expect(Math.abs(predicted - contribution), `L${layer}H${head} source ${j}`).toBeLessThan(1e-4 * (1 + Math.abs(contribution)));
      }
      // And summed over sources: the head's whole direct contribution at dst.
      const total = readout(clean.cache[hook.result(layer)].data.subarray((dst * H + head) * d, (dst * H + head + 1) * d));
      const summed = Array.from({ length: S }, (_, j) => p(j) * feature.scores![j]).reduce((a, b) => a + b, 0);
      expect(Math.abs(summed - total)).toBeLessThan(1e-4 * (1 + Math.abs(total)));
      expect(Math.abs(total)).toBeGreaterThan(1e-3); // not a vacuous 0 = 0
    }
    expect(V).toBe(64);
  });

  it('coupling coefficients: C(y,y) = 1, C(y,2y) = 2, C(2y,y) = 0.5; cosine is scale-free', async () => {
    const r = await obsprop(model, { positive, negative, topK: 0 });
    expect(r.scaleMode).toBe('data-free');
    const y = r.heads[1][2].feature;
    const y2 = y.map((v) => 2 * v);
    expect(couplingCoefficient(y, y)).toBeCloseTo(1, 12);
    expect(couplingCoefficient(y, y2)).toBeCloseTo(2, 12);
    expect(couplingCoefficient(y2, y)).toBeCloseTo(0.5, 12);
    expect(cosineSimilarity(y, y2)).toBeCloseTo(1, 12);
    expect(r.cosine![6][6]).toBeCloseTo(1, 12); // head (1,2) at index 1·4 + 2
    expect(couplingCoefficient(new Float64Array(3), y.subarray(0, 3))).toBeNaN();
  });

  it('path features compose the single-step pull-backs and refuse impossible orders', async () => {
    const u = await unembedFeature(model, { positive, negative });
    const scales = { final: 1, ln1: [1, 1], ln2: [1, 1] };
    const f = await pathFeature(model, u, [{ kind: 'head', layer: 1, head: 0 }, { kind: 'head', layer: 0, head: 2 }], { scales });
    const manual = await headOvPullback(model, 0, 2, await headOvPullback(model, 1, 0, u));
    expect(f.hook).toBe(hook.residPre(0));
    for (let i = 0; i < d; i++) expect(f.feature[i]).toBeCloseTo(manual[i], 6);
    await expect(pathFeature(model, u, [{ kind: 'head', layer: 0, head: 0 }, { kind: 'head', layer: 1, head: 0 }], { scales })).rejects.toThrow(/L1H0 cannot feed L0H0/);
    await expect(pathFeature(model, u, [{ kind: 'mlp', layer: 1 }], { scales })).rejects.toThrow(/MLP1 needs a linearisation point/);
  });
});

/** v · MLP(x) in float64 on the host, from the model's weights. */
async function hostMlpValue(model: Model, layer: number, v: Float64Array, x: Float64Array): Promise<number> {
  const { dModel: d, dMlp: n, activation } = model.spec;
  const w = model.weights.blocks[layer].mlp;
  const wIn = await host(model, w.wIn);
  const wOut = await host(model, w.wOut);
  const bIn = w.bIn ? await host(model, w.bIn) : new Float32Array(n);
  const bOut = w.bOut ? await host(model, w.bOut) : new Float32Array(d);
  const wGate = w.wGate ? await host(model, w.wGate) : null;
  const post = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let up = bIn[k];
    let gate = 0;
    for (let i = 0; i < d; i++) {
      up += wIn[k * d + i] * x[i];
      if (wGate) gate += wGate[k * d + i] * x[i];
    }
    post[k] = wGate ? unaryScalar(activation, gate) * up : unaryScalar(activation, up);
  }
  let s = 0;
  for (let i = 0; i < d; i++) {
    let o = bOut[i];
    for (let k = 0; k < n; k++) o += wOut[i * n + k] * post[k];
    s += v[i] * o;
  }
  return s;
}

describe.each(['gpt2', 'llama'] as ModelSpec['modelType'][])('ObsProp through MLPs and norms: %s', (type) => {
  const spec = smallSpec(type);
  const model = modelOnBackend({ label: `random-${type}`, spec, weights: randomWeights(spec, 5), tokenizer: null }, createCpuBackend());
  const d = spec.dModel;

  it('the MLP feature is the gradient of v · MLP(x): float64 central differences agree within 1e-4', async () => {
    const v = randomVector(d, 1);
    const x = randomVector(d, 2);
    const grad = await mlpPullback(model, 1, v, x);
    const h = 1e-5;
    for (let i = 0; i < d; i++) {
      const plus = Float64Array.from(x);
      const minus = Float64Array.from(x);
      plus[i] += h;
      minus[i] -= h;
      const fd = ((await hostMlpValue(model, 1, v, plus)) - (await hostMlpValue(model, 1, v, minus))) / (2 * h);
      expect(Math.abs(grad[i] - fd), `entry ${i}`).toBeLessThan(1e-4 * (1 + Math.abs(fd)));
    }
    const [value] = await mlpValues(model, 1, v, [x]);
    expect(Math.abs(value - (await hostMlpValue(model, 1, v, x)))).toBeLessThan(1e-4);
    // The activation derivative the backend used is the one of the forward's activation.
    expect(unaryGradScalar(spec.activation, 0.3)).toBeCloseTo((unaryScalar(spec.activation, 0.3 + 1e-6) - unaryScalar(spec.activation, 0.3 - 1e-6)) / 2e-6, 6);
  });

  it('the zero crossing lies on the segment where v · MLP changes sign, with |v · MLP| ≈ 0 there', async () => {
    const v = randomVector(d, 3);
    let a = randomVector(d, 4);
    let b = randomVector(d, 5);
    let seed = 6;
    while (Math.sign((await mlpValues(model, 0, v, [a]))[0]) === Math.sign((await mlpValues(model, 0, v, [b]))[0])) b = randomVector(d, seed++);
    const c = (await mlpZeroCrossing(model, 0, v, a, b))!;
    expect(c.t).toBeGreaterThan(0);
    expect(c.t).toBeLessThan(1);
    expect(Math.abs(c.valueAtPoint)).toBeLessThan(1e-4 * Math.max(Math.abs(c.valueNegative), Math.abs(c.valuePositive)));
    for (let i = 0; i < d; i++) expect(c.point[i]).toBeCloseTo((1 - c.t) * a[i] + c.t * b[i], 9);
    a = b;
    expect(await mlpZeroCrossing(model, 0, v, a, b)).toBeNull();
  });

  it('the norm pull-back is the transposed Jacobian of the norm with its scale frozen', async () => {
    const v = randomVector(d, 7);
    const delta = randomVector(d, 8);
    const s = 1.7;
    const gamma = await host(model, model.weights.blocks[0].ln2!.w);
    const centre = spec.normalization === 'layernorm';
    const mean = centre ? delta.reduce((x, y) => x + y, 0) / d : 0;
    const jDelta = Float64Array.from(delta, (x, i) => (gamma[i] * (x - mean)) / s);
    const pulled = await normPullback(model, v, { layer: 0, which: 2 }, s);
    let lhs = 0;
    let rhs = 0;
    for (let i = 0; i < d; i++) {
      lhs += v[i] * jDelta[i];
      rhs += pulled[i] * delta[i];
    }
    expect(rhs).toBeCloseTo(lhs, 10);
  });

  it('MLP features from a prompt and from a zero crossing; an MLP path equals the MLP feature', async () => {
    const ids = [1, 2, 3, 4, 5, 6];
    const r = await obsprop(model, { positive: [3], negative: [4], prompt: { ids }, effects: 'none', topK: 3, paths: [[{ kind: 'mlp', layer: 1 }]] });
    expect(r.mlps.every((m) => m !== null)).toBe(true);
    expect(Array.from(r.paths[0].feature)).toEqual(Array.from(r.mlps[1]!.feature));
    expect(r.paths[0].hook).toBe(hook.residMid(1));
    expect(r.mlps[1]!.decoded!.top).toHaveLength(3);
    const z = await obsprop(model, { positive: [3], negative: [4], zeroCrossing: { positive: { ids: [3, 3, 3] }, negative: { ids: [9, 4, 4, 4] } }, topK: 0 });
    for (const m of z.mlps) if (m) expect(Math.abs(m.crossing!.valueAtPoint)).toBeLessThan(1e-3 * Math.abs(m.crossing!.valueNegative));
  });
});

describe('ObsProp on real and planted models', () => {
  it('resolves token strings as single vocabulary pieces and names a string that splits', async () => {
    const model = await loadFixtureModel('stories260K-hf');
    const he = resolveToken(model, ' he');
    expect(model.tokenizer!.tokenString(he)).toBe(' he');
    expect(() => resolveToken(model, ' boy')).toThrow(/“·boy” is not a token of this vocabulary; as text it is 4 tokens/);
    expect(() => resolveToken(model, 9999)).toThrow(/token id 9999 is outside the vocabulary: ids run from 0 to 511/);
    const r = await obsprop(model, { positive: [' he'], negative: [' she'], prompt: { text: 'Tom went to the park. Then' }, effects: 'zero', topK: 5, similarity: false });
    expect(r.ranking).toHaveLength(40);
    expect(r.value).toBeLessThan(Infinity);
    expect(r.heads[0][0].scores).toHaveLength(r.ids!.length);
  });

  it('ranks the planted induction head first for an observable on the copied token; ablating it kills the prediction', async () => {
    const { model, inductionHead } = plantedCircuit({ dVocab: 32 });
    const seq = [3, 17, 25, 8, 30, 12, 5, 21, 14, 27, 9, 1]; // distinct, so the induction target is unique
    const ids = [...seq, ...seq.slice(0, 5)]; // predicts seq[5] by induction
    const copied = seq[5];
    for (const scales of ['prompt', 'data-free'] as const) {
      const r = await obsprop(model, { positive: [copied], prompt: { ids }, scales, topK: 0, similarity: false });
      expect(r.ranking[0]).toMatchObject({ layer: inductionHead.layer, head: inductionHead.head });
      expect(r.ranking[0].norm).toBeGreaterThan(10 * r.ranking[1].norm);
      // The induction head's effect dominates too: ablating it removes most of the copied logit.
      const effects = r.ranking.map((h) => Math.abs(h.effect!));
      expect(effects[0]).toBe(Math.max(...effects));
      expect(r.ranking[0].effect!).toBeLessThan(-0.5 * r.value!);
      // Its per-token scores pick out the source holding the copied token (OV: tok[t] → "predict t").
      const scores = Array.from(r.heads[inductionHead.layer][inductionHead.head].scores!);
      expect(scores.indexOf(Math.max(...scores))).toBe(5);
    }
  });
});
