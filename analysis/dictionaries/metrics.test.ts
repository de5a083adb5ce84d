/**
 * Dictionary metrics against the fixtures' stats (fvu over all positions of the three inputs,
 * mean L0, no dead features) and per-input losses (clean and spliced reconstruction).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import type { Model } from '../model/model.ts';
import { run } from '../model/run.ts';
import { dictionaryIndex, loadFixtureDictionary, loadGolden, loadHost } from '../../test/dictionary-goldens.ts';
import { dictionaryOnBackend } from './device.ts';
import { dictionaryMetrics } from './metrics.ts';

const HOST = 'stories260K-hf';
let model: Model;
beforeAll(async () => {
  model = await loadHost(HOST, createCpuBackend());
});

describe('dictionary metrics', () => {
  it.each(dictionaryIndex(HOST).map((r) => [r.folder, r] as const))('%s: fvu, L0, dead fraction and losses as the goldens', async (_, row) => {
    const host = await loadFixtureDictionary(HOST, row, model.spec.nLayers);
    const golden = loadGolden(HOST, row.folder);
    const saelensTwin = row.format === 'SAELens' ? golden : loadGolden(HOST, 'jumprelu_transcoder-L1-mlp');
    const inputs = golden.inputs.map((i) => i.input_ids);
    const progress: number[] = [];
    const m = await dictionaryMetrics(model, dictionaryOnBackend(host, model.backend), inputs, { onProgress: (done) => progress.push(done) });
    expect(progress).toEqual([1, 2, 3]);
    const stats = (saelensTwin as unknown as { stats: { fvu: number; mean_l0: number; dead_features: number } }).stats;
    expect(Math.abs(m.fvu - stats.fvu)).toBeLessThan(1e-5);
    expect(m.explainedVariance).toBeCloseTo(1 - stats.fvu, 5);
    expect(Math.abs(m.meanL0 - stats.mean_l0)).toBeLessThan(1e-5);
    expect(m.deadFraction).toBe(stats.dead_features / host.config.dSae);
    const weights = inputs.map((ids) => ids.length - 1);
    const total = weights.reduce((a, b) => a + b, 0);
    const clean = golden.inputs.reduce((a, inp, i) => a + inp.clean_loss * weights[i], 0) / total;
    const spliced = golden.inputs.reduce((a, inp, i) => a + (inp.spliced_reconstruction?.loss ?? inp.mlp_replaced_loss!) * weights[i], 0) / total;
    expect(Math.abs(m.ceClean - clean)).toBeLessThan(1e-4);
    expect(Math.abs(m.ceSpliced - spliced)).toBeLessThan(1e-4);
    expect(m.ceLossRecovered).toBeCloseTo((m.ceZeroAblated - spliced) / (m.ceZeroAblated - clean), 3);
  });

  it('counts a feature that never fires as dead, and stops when aborted', async () => {
    const row = dictionaryIndex(HOST)[0];
    const host = await loadFixtureDictionary(HOST, row, model.spec.nLayers);
    const bEnc = Float32Array.from(host.weights.bEnc.data as Float32Array);
    bEnc[7] = -1e6;
    const dict = dictionaryOnBackend({ ...host, weights: { ...host.weights, bEnc: { ...host.weights.bEnc, data: bEnc } } }, model.backend);
    const inputs = loadGolden(HOST, row.folder).inputs.map((i) => i.input_ids);
    const m = await dictionaryMetrics(model, dict, inputs);
    expect(m.deadFraction).toBe(1 / host.config.dSae);
    const zero = await run(model, { ids: inputs[0] }, { interventions: [{ hook: host.config.hookOut, op: 'zero' }] });
    expect(zero.loss).toBeGreaterThan(m.ceClean);
    const controller = new AbortController();
    controller.abort();
    await expect(dictionaryMetrics(model, dict, inputs, { signal: controller.signal })).rejects.toThrow();
  });
});
