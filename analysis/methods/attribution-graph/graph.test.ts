import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../gpu/cpu/backend.ts';
import { gaussian, randomWeights, smallSpec } from '../../model/random.ts';
import { modelOnBackend } from '../../model/model.ts';
import type { Model } from '../../model/model.ts';
import { hook } from '../../hooks/points.ts';
import { run } from '../../model/run.ts';
import { loadFixtureModel } from '../../../test/fixture-model.ts';
import { FIXTURE_MODELS } from '../../../test/reference.ts';
import { plantedCircuit } from '../../../test/planted-circuit.ts';
import { attributionGraph, identityError, salientLogits } from './graph.ts';
import type { GraphTranscoder } from './replacement.ts';

const relu = (pre: Float32Array) => pre.map((v) => (v > 0 ? v : 0));

/** A transcoder that is the layer's own ReLU MLP: W_enc = W_in, b_enc = b_in, W_dec = W_outᵀ, b_dec = b_out. */
async function exactTranscoder(model: Model, layer: number): Promise<GraphTranscoder> {
  const w = model.weights.blocks[layer].mlp;
  const [wIn, bIn, wOut, bOut] = await model.backend.read([w.wIn, w.bIn!, w.wOut, w.bOut!]);
  const { dModel: d, dMlp } = model.spec;
  const wDec = new Float32Array(dMlp * d);
  for (let i = 0; i < d; i++) for (let f = 0; f < dMlp; f++) wDec[f * d + i] = wOut[i * dMlp + f];
  return { layer, inputHook: hook.lnNormalized(layer, 2), dIn: d, dSae: dMlp, wEnc: wIn, bEnc: bIn, decoders: [{ layer, rows: wDec }], bDec: bOut, activate: relu };
}

/** A random JumpReLU transcoder (made, not trained): the identity holds for any weights. */
function randomTranscoder(model: Model, layer: number, dSae: number, seed: number): GraphTranscoder {
  const d = model.spec.dModel;
  const normal = gaussian(seed);
  const draw = (n: number, s: number) => Float32Array.from({ length: n }, () => s * normal());
  const threshold = 0.05;
  return {
    layer,
    inputHook: hook.lnNormalized(layer, 2),
    dIn: d,
    dSae,
    wEnc: draw(dSae * d, 1 / Math.sqrt(d)),
    bEnc: draw(dSae, 0.1),
    decoders: [{ layer, rows: draw(dSae * d, 0.3) }],
    bDec: draw(d, 0.1),
    activate: (pre) => pre.map((v) => (v > threshold ? v : 0)),
  };
}

function reluGpt2(): Model {
  const spec = smallSpec('gpt2', { activation: 'relu' });
  return modelOnBackend({ label: 'relu-gpt2', spec, weights: randomWeights(spec, 5), tokenizer: null }, createCpuBackend());
}

describe('attribution graph', () => {
  it('picks the fewest top logits that reach the probability mass, at most max', () => {
    const logits = Float32Array.from([Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)]);
    expect(salientLogits(logits, 10, 0.96).ids).toEqual([0, 1, 2, 3]);
    expect(salientLogits(logits, 10, 0.9).ids).toEqual([0, 1, 2]);
    expect(salientLogits(logits, 10, 0.8).ids).toEqual([0, 1]);
    expect(salientLogits(logits, 1, 0.95).ids).toEqual([0]);
  });

  it('with transcoders equal to the MLPs, error nodes vanish and edges plus biases give every value', async () => {
    const model = reluGpt2();
    const transcoders = await Promise.all(Array.from({ length: model.spec.nLayers }, (_, l) => exactTranscoder(model, l)));
    const g = await attributionGraph(model, { ids: [3, 17, 42, 5, 9, 33] }, { transcoders, batchSize: 7 });
    const n = g.values.length;
    const errorNorms = g.values.subarray(g.layout.features, g.layout.features + g.layout.errors);
    expect(Math.max(...errorNorms)).toBeLessThan(1e-5);
    expect(g.checks.maxIdentityError).toBeLessThan(1e-4);
    // The replacement model's logits are the real model's: every logit node's value is the real
    // (demeaned) logit, and the edges from non-error sources plus the bias rebuild it.
    const real = await run(model, { ids: [3, 17, 42, 5, 9, 33] });
    const last = real.logits!.data.subarray(5 * model.spec.dVocab, 6 * model.spec.dVocab);
    const mean = last.reduce((a, b) => a + b, 0) / last.length;
    g.logitTokens.forEach((t, k) => {
      const node = n - g.layout.logits + k;
      let rebuilt = g.bias[node];
      for (let s = 0; s < n; s++) {
        const isError = s >= g.layout.features && s < g.layout.features + g.layout.errors;
        if (!isError) rebuilt += g.adjacency[node * n + s];
      }
      expect(Math.abs(rebuilt - (last[t] - mean))).toBeLessThan(1e-4);
    });
    expect(g.scores.replacement).toBeGreaterThan(0.9999);
    expect(g.scores.completeness).toBeGreaterThan(0.9999);
  });

  it('is exactly linear with random transcoders on the stories260K fixture (every target node)', async () => {
    const model = await loadFixtureModel('stories260K-hf');
    const transcoders = Array.from({ length: model.spec.nLayers }, (_, l) => randomTranscoder(model, l, 32, 100 + l));
    const g = await attributionGraph(model, { ids: [1, 403, 407, 261, 378, 425] }, { transcoders });
    expect(g.layout.features).toBeGreaterThan(20);
    expect(g.checks.maxIdentityError).toBeLessThan(1e-4);
    // No edge goes backwards in position or layer (causality of the frozen model).
    const n = g.values.length;
    g.features.forEach((target, t) => {
      g.features.forEach((source, s) => {
        if (source.layer >= target.layer || source.pos > target.pos) expect(g.adjacency[t * n + s]).toBe(0);
      });
    });
  });

  it('the identity check fails on a graph whose edge is off by 0.01 (the check can fail)', async () => {
    const model = reluGpt2();
    const g = await attributionGraph(model, { ids: [3, 17, 42, 5] }, { transcoders: [randomTranscoder(model, 1, 16, 7)], batchSize: 4 });
    expect(identityError(g)).toBeLessThan(1e-4);
    const n = g.values.length;
    const adjacency = Float32Array.from(g.adjacency);
    adjacency[(n - 1) * n + g.layout.features + g.layout.errors] += 0.01;
    expect(identityError({ ...g, adjacency })).toBeGreaterThan(0.009);
  });

  it('on the planted induction circuit, the answer logit is driven most by the embedding the induction head copies', async () => {
    const { model } = plantedCircuit();
    // … 7 9 4 … 7 → predict 9: the token after the earlier 7 is at position 2.
    const ids = [5, 7, 9, 4, 11, 7];
    const g = await attributionGraph(model, { ids }, { transcoders: [] });
    expect(g.logitTokens[0]).toBe(9);
    const n = g.values.length;
    const answer = n - g.layout.logits;
    const embedStart = g.layout.features + g.layout.errors;
    const fromEmbeddings = Array.from({ length: ids.length }, (_, p) => g.adjacency[answer * n + embedStart + p]);
    const strongest = fromEmbeddings.indexOf(Math.max(...fromEmbeddings));
    expect(strongest).toBe(2);
    expect(g.checks.maxIdentityError).toBeLessThan(1e-4);
  });

  it('refuses transcoders that do not fit the model, naming the layer', async () => {
    const model = reluGpt2();
    const t = randomTranscoder(model, 0, 8, 1);
    await expect(attributionGraph(model, { ids: [1, 2] }, { transcoders: [{ ...t, layer: 9 }] })).rejects.toThrow(/layer 9/);
    await expect(attributionGraph(model, { ids: [1, 2] }, { transcoders: [{ ...t, bDec: new Float32Array(3) }] })).rejects.toThrow(/b_dec has 3 values/);
    await expect(attributionGraph(model, { ids: [1, 2] }, { transcoders: [{ ...t, inputHook: 'blocks.0.hook_resid_pre' }] })).rejects.toThrow(/reads blocks.0.hook_resid_pre/);
  });
});

describe.each(FIXTURE_MODELS)('attribution graph identity on %s (random transcoders)', (name) => {
  it('every target node’s edges plus bias equal its value', async () => {
    const model = await loadFixtureModel(name);
    const names = new Set(model.hookPoints.map((p) => p.name));
    const transcoders = Array.from({ length: model.spec.nLayers }, (_, l) => {
      const t = randomTranscoder(model, l, 12, 300 + l);
      return names.has(t.inputHook) ? t : { ...t, inputHook: hook.residMid(l) };
    });
    const g = await attributionGraph(model, { ids: [1, 7, 200, 33, 5] }, { transcoders, batchSize: 64 });
    expect(g.layout.features).toBeGreaterThan(5);
    expect(g.checks.maxIdentityError).toBeLessThan(1e-4);
  });
});
