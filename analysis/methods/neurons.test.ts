import { describe, expect, it } from 'vitest';
import { ARCHITECTURES, randomModel, SAMPLE_IDS } from '../../test/random-models.ts';
import { hook } from '../hooks/points.ts';
import { run } from '../model/run.ts';
import { clampNeuron, decodeDirection, decodeNeuron } from './neurons.ts';

describe.each(ARCHITECTURES)('LM-head decoding: %s', (type) => {
  const model = randomModel(type);
  const { dModel: d, dVocab: V, dMlp } = model.spec;
  const host = (t: Parameters<typeof model.backend.data>[0]) => model.backend.data(t);
  const wU = host(model.weights.unembed); // [vocab, dModel]
  const gamma = host(model.weights.lnFinal.w);
  /** (W_U v)[t] on the host, float64, optionally with the gain. */
  const hostDecode = (v: ArrayLike<number>, gain: boolean) =>
    Array.from({ length: V }, (_, t) => {
      let s = 0;
      for (let i = 0; i < d; i++) s += wU[t * d + i] * v[i] * (gain ? gamma[i] : 1);
      return s;
    });

  it('a one-hot direction e_i decodes to column i of W_U (times γ_i with the gain)', async () => {
    for (const i of [0, 7, d - 1]) {
      const e = new Float32Array(d);
      e[i] = 1;
      const plain = await decodeDirection(model, e, { topK: 5 });
      const gained = await decodeDirection(model, e, { applyNormGain: true });
      for (let t = 0; t < V; t++) {
        expect(plain.logits[t]).toBe(wU[t * d + i]);
        expect(gained.logits[t]).toBeCloseTo(wU[t * d + i] * gamma[i], 6);
      }
      const column = Array.from({ length: V }, (_, t) => wU[t * d + i]);
      const descending = column.map((_, t) => t).sort((a, b) => column[b] - column[a] || a - b);
      const ascending = column.map((_, t) => t).sort((a, b) => column[a] - column[b] || a - b);
      expect(plain.top.map((x) => x.id)).toEqual(descending.slice(0, 5));
      expect(plain.bottom.map((x) => x.id)).toEqual(ascending.slice(0, 5));
      expect(plain.top[0].value).toBe(column[descending[0]]);
    }
  });

  it("a neuron's input, gate and output directions decode like the weight rows/columns on the host", async () => {
    const layer = 1;
    const j = 13;
    const mlp = model.weights.blocks[layer].mlp;
    const wIn = host(mlp.wIn); // [neuron, dModel]
    const wOut = host(mlp.wOut); // [dModel, neuron]
    const inputDir = wIn.slice(j * d, (j + 1) * d);
    const outputDir = Float32Array.from({ length: d }, (_, i) => wOut[i * dMlp + j]);
    for (const gain of [false, true]) {
      const r = await decodeNeuron(model, { layer, neuron: j, applyNormGain: gain, topK: 3 });
      expect(Array.from(r.input.vector)).toEqual(Array.from(inputDir));
      expect(Array.from(r.output.vector)).toEqual(Array.from(outputDir));
      const expectIn = hostDecode(inputDir, gain);
      const expectOut = hostDecode(outputDir, gain);
      for (let t = 0; t < V; t++) {
        expect(Math.abs(r.input.logits[t] - expectIn[t])).toBeLessThan(1e-5);
        expect(Math.abs(r.output.logits[t] - expectOut[t])).toBeLessThan(1e-5);
      }
      if (mlp.wGate) {
        const gateDir = host(mlp.wGate).slice(j * d, (j + 1) * d);
        expect(Array.from(r.gate!.vector)).toEqual(Array.from(gateDir));
        const expectGate = hostDecode(gateDir, gain);
        for (let t = 0; t < V; t++) expect(Math.abs(r.gate!.logits[t] - expectGate[t])).toBeLessThan(1e-5);
      } else {
        expect(r.gate).toBeNull();
      }
    }
  });

  it('clampNeuron replaces or adds exactly at neuron j (and the chosen positions)', async () => {
    const layer = 0;
    const j = 5;
    const clean = await run(model, { ids: SAMPLE_IDS }, { capture: [hook.mlpPost(layer)] });
    const replaced = await run(model, { ids: SAMPLE_IDS }, { capture: [hook.mlpPost(layer)], interventions: clampNeuron(model.spec, { layer, neuron: j, mode: 'replace', value: 4.5, pos: [2, 3] }) });
    const added = await run(model, { ids: SAMPLE_IDS }, { capture: [hook.mlpPost(layer)], interventions: clampNeuron(model.spec, { layer, neuron: j, mode: 'add', value: -2 }) });
    const c = clean.cache[hook.mlpPost(layer)].data;
    const r = replaced.cache[hook.mlpPost(layer)].data;
    const a = added.cache[hook.mlpPost(layer)].data;
    for (let p = 0; p < SAMPLE_IDS.length; p++) {
      for (let n = 0; n < dMlp; n++) {
        const at = p * dMlp + n;
        expect(r[at]).toBe(n === j && (p === 2 || p === 3) ? 4.5 : c[at]);
        expect(a[at]).toBe(n === j ? Math.fround(c[at] - 2) : c[at]);
      }
    }
  });
});

describe('LM-head decoding errors', () => {
  const model = randomModel('gpt2');
  it('names the expected size, layer and neuron range', async () => {
    await expect(decodeDirection(model, [1, 2, 3])).rejects.toThrow(/3 entries, the residual stream has dModel = 32/);
    await expect(decodeNeuron(model, { layer: 2, neuron: 0 })).rejects.toThrow(/layer 2 is outside \[0, 2\)/);
    await expect(decodeNeuron(model, { layer: 0, neuron: 48 })).rejects.toThrow(/neuron 48 is outside layer 0's MLP \[0, 48\)/);
    expect(() => clampNeuron(model.spec, { layer: 0, neuron: 1, mode: 'replace', value: NaN })).toThrow(/not a finite number/);
  });
});
