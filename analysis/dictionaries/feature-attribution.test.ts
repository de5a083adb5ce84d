/**
 * DLA on feature activations against the DLA method itself: a transcoder's features, bias and
 * error sum to DLA's L1.mlp component; the last layer's SAE's pieces sum to the metric minus the
 * final biases; b_dec's share equals b_dec · w evaluated on the host.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { NodeFolderSource } from '../formats/node-source.ts';
import { directLogitAttribution } from '../methods/dla.ts';
import type { Model } from '../model/model.ts';
import { loadGolden, loadHost, saeFolder } from '../../test/dictionary-goldens.ts';
import { openBuiltinDictionary } from './builtin.ts';
import { dictionaryOnBackend } from './device.ts';
import { featureLogitAttribution } from './feature-attribution.ts';
import { loadSaeLens } from './saelens.ts';

let model: Model;
beforeAll(async () => {
  model = await loadHost('stories260K-hf', createCpuBackend());
});
const ids = loadGolden('stories260K-hf', 'jumprelu_transcoder-L1-mlp').inputs[1].input_ids;

describe('feature logit attribution', () => {
  it("a transcoder's pieces sum to DLA's component for its MLP", async () => {
    const host = await loadSaeLens(new NodeFolderSource(saeFolder('stories260K-hf', 'jumprelu_transcoder-L1-mlp')));
    const a = await featureLogitAttribution(model, dictionaryOnBackend(host, model.backend), ids, { pos: 7 });
    const dla = await directLogitAttribution(model, { ids }, { pos: 7, answer: a.answer });
    const mlp = dla.components.find((c) => c.name === 'L1.mlp')!.value;
    expect(Math.abs(a.total - mlp)).toBeLessThan(1e-4);
    const bDec = host.weights.bDec.data as Float32Array;
    expect(Math.abs(a.bias - bDec.reduce((s, v, i) => s + v * a.readout.direction[i], 0))).toBeLessThan(1e-5);
    // As many pieces as the goldens' active features there.
    expect(a.features.length).toBe(loadGolden('stories260K-hf', 'jumprelu_transcoder-L1-mlp').inputs[1].feature_acts['7'].length);
    for (let i = 1; i < a.features.length; i++) expect(Math.abs(a.features[i].contribution)).toBeLessThanOrEqual(Math.abs(a.features[i - 1].contribution));
  });

  it("the last layer's SAE: pieces + final biases = the metric", async () => {
    const host = await openBuiltinDictionary('builtin:stories260K-saes/blocks.4.hook_resid_post');
    const a = await featureLogitAttribution(model, dictionaryOnBackend(host, model.backend), ids, { pos: -1, answer: 265, wrong: 263 });
    expect(Math.abs(a.total + a.readout.normBias + a.readout.unembedBias - a.metric)).toBeLessThan(1e-4);
  });

  it('refuses a dictionary that does not write the residual stream directly', async () => {
    const host = await loadSaeLens(new NodeFolderSource(saeFolder('stories260K-hf', 'standard-L2-resid_post')));
    await expect(featureLogitAttribution(model, dictionaryOnBackend(host, model.backend), ids)).rejects.toThrow(/needs a residual write/);
  });
});

