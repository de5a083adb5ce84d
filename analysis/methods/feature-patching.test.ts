/**
 * Patching and attribution patching over dictionary features (hook `features`), on the fixture
 * SAEs of stories260K-hf and the reference CPU backend: the reusing sweep equals one full run per
 * cell; a feature active in neither run changes nothing; in the linear regime (a tiny noise
 * corruption) attribution patching on feature activations and the error term equals exact
 * patching; without dictionaries the hook is refused by name.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { dictionaryIndex, loadFixtureDictionary, loadHost } from '../../test/dictionary-goldens.ts';
import { attachDictionaries, spliceUse } from '../dictionaries/attach.ts';
import { dictionaryHook } from '../dictionaries/dictionary.ts';
import { dictionaryOnBackend } from '../dictionaries/device.ts';
import type { HostDictionary } from '../dictionaries/dictionary.ts';
import type { HostWeight } from '../../gpu/backend.ts';
import type { Model } from '../model/model.ts';
import { run } from '../model/run.ts';
import { attributionPatching } from './attribution-patching.ts';
import { featureGrid } from './feature-patch-cells.ts';
import { activationPatching } from './patching.ts';

const HOST = 'stories260K-hf';
const CLEAN = [1, 317, 263, 377, 267, 265, 282, 295, 433, 426, 317];
const CORRUPT = [1, 317, 263, 274, 267, 265, 282, 295, 433, 426, 317];
let plain: Model;
let model: Model;
/** The fixture's standard (ReLU) SAE cut to its first N features: a valid, smaller SAE, so a sweep over every feature stays fast. */
const N = 32;
function firstFeatures(h: HostDictionary): HostDictionary {
  const rows = (w: HostWeight): HostWeight => {
    if (!(w.data instanceof Float32Array)) throw new Error(`fixture tensor ${w.name} is not F32`);
    const width = w.shape.length === 2 ? w.shape[1] : 1;
    return { ...w, shape: w.shape.length === 2 ? [N, width] : [N], data: w.data.slice(0, N * width) };
  };
  const { weights } = h;
  return { config: { ...h.config, dSae: N }, weights: { ...weights, encoder: rows(weights.encoder), bEnc: rows(weights.bEnc), decoder: rows(weights.decoder) } };
}
let answer = 0;
let wrong = 0;
beforeAll(async () => {
  plain = await loadHost(HOST, createCpuBackend());
  const row = dictionaryIndex(HOST).find((r) => r.folder === 'standard-L2-resid_post')!;
  model = attachDictionaries(plain, [spliceUse(dictionaryOnBackend(firstFeatures(await loadFixtureDictionary(HOST, row, 5)), plain.backend), 'with-error')]);
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
});
