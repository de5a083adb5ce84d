/**
 * Feature dashboards of the standard fixture SAE over the fixture inputs as a corpus, against the
 * goldens (max activation, where it is, firing density, features at a position) and float64
 * evaluations of the logit weights and decoder cosines.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { NodeFolderSource } from '../formats/node-source.ts';
import { SafetensorsCheckpoint } from '../formats/safetensors.ts';
import type { Model } from '../model/model.ts';
import { denseActs, loadGolden, loadHost, saeFolder } from '../../test/dictionary-goldens.ts';
import { FIXTURES } from '../../test/reference.ts';
import type { Dashboards } from './dashboard.ts';
import { featureDashboards, featuresAt, featuresForToken } from './dashboard.ts';
import type { HostDictionary } from './dictionary.ts';
import { dictionaryOnBackend } from './device.ts';
import { loadSaeLens } from './saelens.ts';

const HOST = 'stories260K-hf';
const FOLDER = 'standard-L2-resid_post';
let model: Model;
let host: HostDictionary;
let dash: Dashboards;
const golden = loadGolden(HOST, FOLDER);
const corpus = golden.inputs.map((i) => i.input_ids);

beforeAll(async () => {
  model = await loadHost(HOST, createCpuBackend());
  host = await loadSaeLens(new NodeFolderSource(saeFolder(HOST, FOLDER)));
  const progress: number[] = [];
  dash = await featureDashboards(model, dictionaryOnBackend(host, model.backend), corpus, { topContexts: 3, onProgress: (d) => progress.push(d) });
  expect(progress).toEqual([1, 2, 3]);
});

describe('feature dashboards', () => {
  it('top contexts, max activation and density agree with the goldens', () => {
    const dSae = host.config.dSae;
    const dense = golden.inputs.map((i) => denseActs(i, dSae));
    const positions = corpus.reduce((n, ids) => n + ids.length, 0);
    expect(dash.positions).toBe(positions);
    for (const f of [0, 7, 49, 200, dSae - 1]) {
      let best = { v: 0, s: -1, p: -1 };
      let active = 0;
      dense.forEach((d, s) => {
        for (let p = 0; p < corpus[s].length; p++) {
          const v = d[p * dSae + f];
          if (v !== 0) active++;
          if (v > best.v) best = { v, s, p };
        }
      });
      const fd = dash.features[f];
      expect(fd.density).toBe(active / positions);
      expect(Math.abs(fd.maxActivation - best.v)).toBeLessThan(1e-4);
      const top = fd.contexts[0];
      expect([top.sequence, top.position]).toEqual([best.s, best.p]);
      expect(top.ids[top.focus]).toBe(corpus[best.s][best.p]);
      expect(Math.abs(top.acts[top.focus] - best.v)).toBeLessThan(1e-4);
      for (let i = 1; i < fd.contexts.length; i++) expect(fd.contexts[i].activation).toBeLessThanOrEqual(fd.contexts[i - 1].activation);
      expect(fd.histogram.counts.reduce((a, b) => a + b, 0)).toBe(active);
    }
  });

  it('logit weights and nearest features match a float64 evaluation', async () => {
    const ckpt = await SafetensorsCheckpoint.openFile(new NodeFolderSource(`${FIXTURES}${HOST}`), 'model.safetensors');
    const embed = (await ckpt.read('model.embed_tokens.weight')).data as Float32Array;
    const dec = host.weights.decoder.data as Float32Array;
    const d = host.config.dOut;
    const V = model.spec.dVocab;
    for (const f of [3, 49]) {
      const logits = Array.from({ length: V }, (_, t) => {
        let s = 0;
        for (let j = 0; j < d; j++) s += dec[f * d + j] * embed[t * d + j];
        return s;
      });
      const order = logits.map((_, i) => i).sort((a, b) => logits[b] - logits[a]);
      expect(dash.features[f].topLogits!.map((t) => t.id)).toEqual(order.slice(0, 10));
      expect(dash.features[f].bottomLogits!.map((t) => t.id)).toEqual(order.slice(-10).reverse());
      const cos = (g: number) => {
        let dot = 0, a = 0, b = 0;
        for (let j = 0; j < d; j++) {
          dot += dec[f * d + j] * dec[g * d + j];
          a += dec[f * d + j] ** 2;
          b += dec[g * d + j] ** 2;
        }
        return dot / Math.sqrt(a * b);
      };
      const others = Array.from({ length: host.config.dSae }, (_, g) => g).filter((g) => g !== f).sort((x, y) => cos(y) - cos(x));
      expect(dash.features[f].neighbours.map((n) => n.feature)).toEqual(others.slice(0, 5));
    }
  });

  it('searches by prompt position and by token', async () => {
    const input = golden.inputs[0];
    const found = await featuresAt(model, dictionaryOnBackend(host, model.backend), input.input_ids, 4, 1000);
    const want = [...input.feature_acts['4']].sort((a, b) => b[1] - a[1]).map(([f]) => f);
    expect(found.map((x) => x.feature)).toEqual(want);
    const token = dash.features[49].topLogits![0].id;
    const search = featuresForToken(dash, token, host.config.dSae);
    expect(search.byLogit.map((x) => x.feature)).toContain(49);
    for (let i = 1; i < search.byLogit.length; i++) expect(search.byLogit[i].value).toBeLessThanOrEqual(search.byLogit[i - 1].value);
    await expect(featuresAt(model, dictionaryOnBackend(host, model.backend), [1, 2], 5)).rejects.toThrow(/outside the prompt/);
  });
});
