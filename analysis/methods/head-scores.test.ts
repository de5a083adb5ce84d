/**
 * Head scores: the planted circuit's heads are found (and nothing else), the diagonal bookkeeping
 * matches a direct reading of the patterns (with and without BOS), and the successor score
 * matches an independent float64 computation on gpt2-tiny.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { unaryScalar } from '../../gpu/cpu/backend.ts';
import { hook } from '../hooks/points.ts';
import { modelOnBackend } from '../model/model.ts';
import type { Model } from '../model/model.ts';
import { randomWeights, smallSpec } from '../model/random.ts';
import { run } from '../model/run.ts';
import { loadFixtureModel } from '../../test/fixture-model.ts';
import { headScores } from './head-scores.ts';
import { INDUCTION, plantedCircuit, PREVIOUS_TOKEN } from '../../test/planted-circuit.ts';
import { resolveTasks, tokenIndex } from './successor-tasks.ts';

/** Induction score of a head that splits attention equally over every key j with x[j−1] = x[i]. */
function idealInduction(rows: number[][], n: number): number {
  let sum = 0;
  for (const x of rows) {
    for (let i = n; i < 2 * n; i++) {
      let matches = 0;
      for (let j = 1; j <= i; j++) if (x[j - 1] === x[i]) matches++;
      sum += 1 / matches / n;
    }
  }
  return sum / rows.length;
}

describe('head scores on the planted circuit', () => {
  const { model } = plantedCircuit();

  it('scores the planted heads ≈ 1 and every other head low', async () => {
    const s = await headScores(model, { n: 20, batch: 4, seed: 3 });
    const { nLayers: L, nHeads: H } = model.spec;
    for (let l = 0; l < L; l++) {
      for (let h = 0; h < H; h++) {
        const isPrev = l === PREVIOUS_TOKEN.layer && h === PREVIOUS_TOKEN.head;
        const isInduction = l === INDUCTION.layer && h === INDUCTION.head;
        if (isPrev) expect(s.previousToken[l][h]).toBeGreaterThan(0.999);
        else expect(s.previousToken[l][h]).toBeLessThan(0.1);
        // Tokens are drawn with replacement (as TransformerLens does): a token that occurs twice in r
        // splits a perfect induction head between two keys. `ideal` is that perfect head's score.
        if (isInduction) {
          expect(s.induction[l][h]).toBeGreaterThan(0.85);
          expect(Math.abs(s.induction[l][h] - idealInduction(s.ids, 20))).toBeLessThan(0.01);
        }
        else expect(s.induction[l][h]).toBeLessThan(0.05);
        expect(s.duplicateToken[l][h]).toBeLessThan(0.05);
      }
    }
    expect(s.ids).toHaveLength(4);
    expect(s.ids[0]).toEqual([...s.ids[0].slice(0, 20), ...s.ids[0].slice(0, 20)]);
    expect(s.successor).toBeNull();
    expect(s.successorSkipped).toMatch(/no tokenizer/);
  });

  it('without the previous-token head the induction head finds nothing', async () => {
    const s = await headScores(model, { n: 20, seed: 3 });
    const out = await run(model, { ids: s.ids }, {
      capture: [hook.pattern(1)],
      interventions: [{ hook: hook.z(0), op: 'zero', head: PREVIOUS_TOKEN.head }],
    });
    const S = 40;
    const p = out.cache[hook.pattern(1)].data;
    let sum = 0;
    for (let b = 0; b < 4; b++) for (let i = 20; i < S; i++) sum += p[((b * 4 + INDUCTION.head) * S + i) * S + i - 19];
    expect(sum / 80).toBeLessThan(0.1);
  });
});

describe('head score bookkeeping', () => {
  const spec = smallSpec('gpt2', { bosTokenId: 0, eosTokenIds: [1] });
  const model = modelOnBackend({ label: 'random-gpt2', spec, weights: randomWeights(spec, 5, 0.6), tokenizer: null }, createCpuBackend());

  it.each([false, true])('equals a direct reading of the patterns (BOS %s)', async (prependBos) => {
    const n = 6;
    const s = await headScores(model, { n, batch: 2, seed: 9, prependBos });
    const o = prependBos ? 1 : 0;
    const S = 2 * n + o;
    for (const row of s.ids) {
      expect(row).toHaveLength(S);
      if (prependBos) expect(row[0]).toBe(0);
      expect(row.slice(o).every((t) => t !== 0 && t !== 1)).toBe(true); // no BOS/EOS inside r
    }
    const out = await run(model, { ids: s.ids }, { capture: ['blocks.*.attn.hook_pattern'] });
    for (let l = 0; l < spec.nLayers; l++) {
      const p = out.cache[hook.pattern(l)].data;
      const at = (b: number, h: number, i: number, j: number) => p[((b * spec.nHeads + h) * S + i) * S + j];
      for (let h = 0; h < spec.nHeads; h++) {
        let prev = 0;
        let dup = 0;
        let ind = 0;
        for (let b = 0; b < 2; b++) {
          for (let i = 1; i < S; i++) prev += at(b, h, i, i - 1) / (2 * (S - 1));
          for (let k = 0; k < n; k++) {
            const i = o + n + k;
            dup += at(b, h, i, i - n) / (2 * n);
            ind += at(b, h, i, i - n + 1) / (2 * n);
          }
        }
        expect(s.previousToken[l][h]).toBeCloseTo(prev, 12);
        expect(s.duplicateToken[l][h]).toBeCloseTo(dup, 12);
        expect(s.induction[l][h]).toBeCloseTo(ind, 12);
      }
    }
  });

  it('rejects what it cannot score', async () => {
    await expect(headScores(model, { n: 40 })).rejects.toThrow(/needs 80 positions, but random-gpt2 has a context of 64/);
    await expect(headScores(model, { n: 1 })).rejects.toThrow(/n must be an integer ≥ 2/);
    await expect(headScores(plantedCircuit().model, { prependBos: true })).rejects.toThrow(/has no BOS token id/);
  });
});

/** Independent float64 successor score: E' = MLP0(ln2(W_E[t])), logits = W_U lnf(W_O^h W_V^h ln1(E')). */
async function referenceSuccessor(model: Model, taskIds: number[][]): Promise<number[][]> {
  const { nLayers: L, nHeads: H, dHead: dh, dModel: d, normEps } = model.spec;
  const read = async (t: Parameters<Model['backend']['read']>[0][number] | undefined) => (t ? (await model.backend.read([t]))[0] : null);
  const w = model.weights;
  const E = (await read(w.embed))!;
  const U = (await read(w.unembed))!;
  const lnLinear = (x: number[], gain: Float32Array) => {
    const mean = x.reduce((a, b) => a + b, 0) / d;
    const c = x.map((v) => v - mean);
    const s = Math.sqrt(c.reduce((a, b) => a + b * b, 0) / d + normEps);
    return c.map((v, i) => (v / s) * gain[i]);
  };
  const mv = (m: Float32Array, rows: number, cols: number, x: number[], bias?: Float32Array | null) =>
    Array.from({ length: rows }, (_, r) => x.reduce((a, v, c) => a + m[r * cols + c] * v, bias ? bias[r] : 0));
  const b0 = w.blocks[0];
  const ln2w = (await read(b0.ln2!.w))!;
  const ln2b = await read(b0.ln2!.b);
  const wIn = (await read(b0.mlp.wIn))!;
  const bIn = await read(b0.mlp.bIn);
  const wOut = (await read(b0.mlp.wOut))!;
  const bOut = await read(b0.mlp.bOut);
  const dMlp = model.spec.dMlp;
  const effective = (t: number) => {
    const x = lnLinear(Array.from(E.subarray(t * d, (t + 1) * d)), ln2w).map((v, i) => v + (ln2b ? ln2b[i] : 0));
    const post = mv(wIn, dMlp, d, x, bIn).map((v) => unaryScalar('gelu_tanh', v));
    return mv(wOut, d, dMlp, post, bOut);
  };
  const lnf = (await read(w.lnFinal.w))!;
  const out: number[][] = [];
  for (let l = 0; l < L; l++) {
    const ln1 = (await read(w.blocks[l].ln1!.w))!;
    const wV = (await read(w.blocks[l].attn.wV))!;
    const wO = (await read(w.blocks[l].attn.wO))!;
    out.push(
      Array.from({ length: H }, (_, h) => {
        let ok = 0;
        let pairs = 0;
        for (const ids of taskIds) {
          for (let k = 0; k + 1 < ids.length; k++) {
            const v = mv(wV, H * dh, d, lnLinear(effective(ids[k]), ln1)).slice(h * dh, (h + 1) * dh);
            const res = Array.from({ length: d }, (_, i) => v.reduce((a, x, c) => a + wO[i * H * dh + h * dh + c] * x, 0));
            const normed = lnLinear(res, lnf);
            const logits = ids.map((t) => normed.reduce((a, x, i) => a + U[t * d + i] * x, 0));
            const best = logits.indexOf(Math.max(...logits));
            ok += best === k + 1 ? 1 : 0;
            pairs++;
          }
        }
        return ok / pairs;
      }),
    );
  }
  return out;
}

describe('successor score', () => {
  it('matches an independent computation on gpt2-tiny, where every task is single tokens', async () => {
    const model = await loadFixtureModel('gpt2-tiny');
    const s = await headScores(model, { n: 5, batch: 1 });
    expect(s.successorSkipped).toBeNull();
    expect(s.successor!.tasks.every((t) => t.used && t.missing.length === 0)).toBe(true);
    const tasks = resolveTasks(tokenIndex(model.tokenizer!, model.spec.dVocab));
    expect(s.successor!.pairs).toBe(tasks.reduce((a, t) => a + t.ids.length - 1, 0));
    expect(model.tokenizer!.decode([tasks.find((t) => t.name === 'days')!.ids[0]])).toBe(' Monday');
    const expected = await referenceSuccessor(model, tasks.map((t) => [...t.ids]));
    expect(s.successor!.scores).toEqual(expected);
  });

  it('skips tasks that are not single tokens in stories260K and says which items were missing', async () => {
    const model = await loadFixtureModel('stories260K-hf');
    const s = await headScores(model, { n: 5, batch: 1 });
    const tasks = s.successor!.tasks;
    expect(tasks.map((t) => t.name)).toContain('months');
    const months = tasks.find((t) => t.name === 'months')!;
    expect(months.used).toBe(false);
    expect(months.missing).toContain('January');
    for (const t of tasks) expect(t.used).toBe(t.missing.length === 0);
    if (tasks.every((t) => !t.used)) {
      expect(s.successor!.scores).toBeNull();
      expect(s.successorSkipped).toMatch(/no ordinal task/);
    }
  });
});
