/**
 * Patching and attribution patching over dictionary features (hook `features`), on the fixture
 * SAEs of stories260K-hf and the reference CPU backend: the reusing sweep equals one full run per
 * cell; a feature active in neither run changes nothing; in the linear regime (a tiny noise
 * corruption) attribution patching on feature activations and the error term equals exact
 * patching; path patching from each feature of an SAE on the last residual stream to the logits
 * equals activation patching of that feature (nothing downstream to freeze); without
 * dictionaries the hook is refused by name.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { dictionaryIndex, loadFixtureDictionary, loadHost } from '../../test/dictionary-goldens.ts';
import { attachDictionaries, spliceUse } from '../dictionaries/attach.ts';
import { dictionaryHook } from '../dictionaries/dictionary.ts';
import { dictionaryOnBackend } from '../dictionaries/device.ts';
import { firstFeatures } from '../../test/truncated-dictionary.ts';
import type { Model } from '../model/model.ts';
import { run } from '../model/run.ts';
import { attributionPatching } from './attribution-patching.ts';
import { featureGrid } from './feature-patch-cells.ts';
import { pathPatching } from './path-patching.ts';
import { activationPatching } from './patching.ts';
import { hook } from '../hooks/points.ts';

const HOST = 'stories260K-hf';
const CLEAN = [1, 317, 263, 377, 267, 265, 282, 295, 433, 426, 317];
const CORRUPT = [1, 317, 263, 274, 267, 265, 282, 295, 433, 426, 317];
let plain: Model;
let model: Model;
/** The fixture's standard (ReLU) SAE cut to its first N features, so a sweep over every feature stays fast. */
const N = 32;
let answer = 0;
let wrong = 0;
beforeAll(async () => {
  plain = await loadHost(HOST, createCpuBackend());
  const row = dictionaryIndex(HOST).find((r) => r.folder === 'standard-L2-resid_post')!;
  model = attachDictionaries(plain, [spliceUse(dictionaryOnBackend(firstFeatures(await loadFixtureDictionary(HOST, row, 5), N), plain.backend), 'with-error')]);
  const l = (await run(plain, { ids: CLEAN }, { logits: 'last' })).logits!.data;
  const order = [...l.keys()].sort((a, b) => l[b] - l[a]);
  [answer, wrong] = order;
});

describe('patching over dictionary features', () => {
  it('the grid: one column per feature and one for the error term, per dictionary (and position)', () => {
    const g = featureGrid(model, true, 4);
    expect(g.axes).toEqual(['dictionary', 'pos', 'feature']);
    expect(g.shape).toEqual([1, 4, N + 1]);
    expect(g.cells[N]).toEqual({ layer: 2, pos: 0, hook: dictionaryHook.error('blocks.2.hook_resid_post') });
    expect(g.cells[N + 1 + 5]).toEqual({ layer: 2, pos: 1, hook: dictionaryHook.actsPost('blocks.2.hook_resid_post'), feature: 5 });
    expect(() => featureGrid(plain, false, 4)).toThrow(/needs dictionaries spliced into the model \(params\.dictionaries/);
  });

  it('reusing sweep == one full run per cell; features off in both runs change nothing', async () => {
    const options = { clean: CLEAN, corruption: { kind: 'tokens' as const, ids: CORRUPT }, hook: 'features' as const, byPosition: false, metric: { answer, wrong } };
    const reused = await activationPatching(model, options);
    const naive = await activationPatching(model, { ...options, mode: 'naive' });
    expect(reused.shape).toEqual([1, N + 1]);
    expect(reused.features).toEqual({ dictionaries: ['blocks.2.hook_resid_post'], lastColumn: 'error' });
    naive.metric.forEach((m, i) => expect(reused.metric[i]).toBeCloseTo(m, 5));
    const acts = dictionaryHook.actsPost('blocks.2.hook_resid_post');
    const [c, k] = await Promise.all([CLEAN, CORRUPT].map((ids) => run(model, { ids }, { capture: [acts], logits: 'none' })));
    const ever = (f: number) => [c, k].some((r) => CLEAN.some((_, p) => r.cache[acts].data[p * N + f] !== 0));
    const silent = [...Array(N).keys()].filter((f) => !ever(f));
    const moved = [...Array(N).keys()].filter((f) => Math.abs(reused.metric[f] - reused.corruptedMetric) > 1e-3);
    expect(silent.length).toBeGreaterThan(0);
    expect(moved.length).toBeGreaterThan(0);
    for (const f of silent) expect(reused.metric[f]).toBeCloseTo(reused.corruptedMetric, 5);
  });

  it('attribution patching on feature activations and the error term equals exact patching for a tiny change', async () => {
    const r = await attributionPatching(model, { clean: CLEAN, corruption: { kind: 'noise', positions: [3], sigma: 1e-2, seed: 1 }, hook: 'features', byPosition: true, answer, wrong });
    expect(r.shape).toEqual([1, CLEAN.length, N + 1]);
    // sigma 1e-2: changes well above float32 resolution of the metric, small enough to be linear.
    const exact = r.exact!;
    // Features and error terms each on their own scale (the error term carries most of the change).
    const cells = [...exact.keys()];
    for (const group of [cells.filter((i) => i % (N + 1) !== N), cells.filter((i) => i % (N + 1) === N)]) {
      const scale = Math.max(...group.map((i) => Math.abs(exact[i])));
      expect(scale).toBeGreaterThan(1e-4);
      const moving = group.filter((i) => Math.abs(exact[i]) > 0.05 * scale);
      expect(moving.length).toBeGreaterThan(1);
      for (const i of moving) expect(Math.abs(r.attribution[i] - exact[i]), `cell ${i}: exact ${exact[i]}, attribution ${r.attribution[i]}`).toBeLessThan(0.02 * Math.abs(exact[i]));
    }
    expect(r.pearson!).toBeGreaterThan(0.999);
  });

  it('path patching from each feature of the last residual stream to the logits = activation patching of it; inside the network the frozen heads and MLPs make it differ', async () => {
    const row = dictionaryIndex(HOST).find((r) => r.folder === 'standard-L2-resid_post')!;
    const host = firstFeatures(await loadFixtureDictionary(HOST, row, 5), N);
    const last = attachDictionaries(plain, [spliceUse(dictionaryOnBackend({ ...host, config: { ...host.config, hookIn: hook.residPost(4), hookOut: hook.residPost(4) } }, plain.backend), 'with-error')]);
    const corruption = { kind: 'tokens' as const, ids: CORRUPT };
    const path = await pathPatching(last, { clean: CLEAN, corruption, senders: 'each-feature', receivers: 'logits', metric: { answer, wrong } });
    const exact = await activationPatching(last, { clean: CLEAN, corruption, hook: 'features', byPosition: false, metric: { answer, wrong } });
    expect(path.shape).toEqual([1, N + 1]);
    expect(path.features).toEqual({ dictionaries: [hook.residPost(4)], lastColumn: 'error' });
    exact.metric.forEach((m, i) => expect(path.metric[i]).toBeCloseTo(m, 4));
    // At layer 2 the heads and MLPs after the feature are frozen: only its direct path is left.
    const inner = await pathPatching(model, { clean: CLEAN, corruption, senders: 'each-feature', receivers: 'logits', metric: { answer, wrong } });
    const total = await activationPatching(model, { clean: CLEAN, corruption, hook: 'features', byPosition: false, metric: { answer, wrong } });
    const moved = (r: { metric: Float64Array; corruptedMetric: number }) => r.metric.reduce((a, m) => a + Math.abs(m - r.corruptedMetric), 0);
    expect(moved(inner)).toBeGreaterThan(0);
    expect(Math.abs(moved(inner) - moved(total))).toBeGreaterThan(1e-3);
  });
});
