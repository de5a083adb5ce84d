/**
 * Dictionaries attached to a model: their stages are hook points of every pass the model runs.
 * Checked against identities (the error-term splice leaves the logits and every upstream gradient
 * unchanged; patching all features and the error from the clean run restores the clean metric
 * exactly) and against central finite differences of the spliced model on the reference CPU
 * backend (the gradient at hook_sae_acts_post = W_dec · g, through TopK / JumpReLU masks upstream,
 * and through a transcoder to its input hook).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { loadFixtureDictionary, loadHost, dictionaryIndex } from '../../test/dictionary-goldens.ts';
import { gradients } from '../grad/gradients.ts';
import { logitDiff } from '../grad/metric.ts';
import type { Intervention } from '../hooks/interventions.ts';
import { hook } from '../hooks/points.ts';
import { naiveSweep, reusingSweep } from '../methods/patch-runs.ts';
import type { Model } from '../model/model.ts';
import { run } from '../model/run.ts';
import type { SpliceMode } from './attach.ts';
import { attachDictionaries, spliceUse } from './attach.ts';
import type { HostDictionary } from './dictionary.ts';
import { dictionaryHook } from './dictionary.ts';
import { dictionaryOnBackend } from './device.ts';

const HOST = 'stories260K-hf';
let model: Model;
const host: Record<string, HostDictionary> = {};
beforeAll(async () => {
  model = await loadHost(HOST, createCpuBackend());
  const top = async (ids: number[], not?: number) => {
    const l = (await run(model, { ids }, { logits: 'last' })).logits!.data;
    return [...l.keys()].filter((i) => i !== not).reduce((a, i) => (l[i] > l[a] ? i : a));
  };
  A = await top(CLEAN);
  B = await top(CORRUPT, A);
  metric = logitDiff(A, B, -1);
  for (const row of dictionaryIndex(HOST)) if (row.folder !== 'circuit_tracer-L1-mlp') host[row.folder] = await loadFixtureDictionary(HOST, row, 5);
});

// A fixture prompt (reference.json) and the same prompt with one earlier token changed.
const CLEAN = [1, 317, 263, 377, 267, 265, 282, 295, 433, 426, 317];
const CORRUPT = [1, 317, 263, 274, 267, 265, 282, 295, 433, 426, 317];
// The metric: logit of the clean run's top token minus the corrupted run's (set in beforeAll).
let A = 0;
let B = 0;
let metric = logitDiff(0, 1, -1);

function withDict(folder: string, mode: SpliceMode, change?: (h: HostDictionary) => HostDictionary): Model {
  const h = change ? change(host[folder]) : host[folder];
  return attachDictionaries(model, [spliceUse(dictionaryOnBackend(h, model.backend), mode)]);
}

async function metricOf(m: Model, ids: number[], interventions: Intervention[] = [], caches = {}): Promise<number> {
  const r = await run(m, { ids }, { interventions, caches, logits: 'last' });
  return metric.evaluate(r.logits!).value;
}

describe('attached dictionaries', () => {
  it('with the error term the logits are unchanged; without it they move; stages are hook points', async () => {
    const plain = await run(model, { ids: CLEAN });
    const acts = dictionaryHook.actsPost('blocks.2.hook_resid_post');
    const spliced = await run(withDict('topk-L2-resid_post', 'with-error'), { ids: CLEAN }, { capture: [acts] });
    let worst = 0;
    plain.logits!.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - spliced.logits!.data[i]))));
    expect(worst).toBeLessThan(1e-4);
    // TopK k = 24 (then ReLU): at most 24 features on at every position.
    const a = spliced.cache[acts];
    expect(a.shape).toEqual([1, CLEAN.length, 256]);
    for (let p = 0; p < CLEAN.length; p++) expect(a.data.subarray(p * 256, (p + 1) * 256).filter((x) => x !== 0).length).toBeGreaterThan(0);
    for (let p = 0; p < CLEAN.length; p++) expect(a.data.subarray(p * 256, (p + 1) * 256).filter((x) => x !== 0).length).toBeLessThanOrEqual(24);
    const replaced = await run(withDict('topk-L2-resid_post', 'without-error'), { ids: CLEAN });
    expect(Math.abs(replaced.logits!.data[0] - plain.logits!.data[0]) + Math.abs(replaced.loss! - plain.loss!)).toBeGreaterThan(1e-3);
    expect(() => attachDictionaries(withDict('topk-L2-resid_post', 'with-error'), [spliceUse(dictionaryOnBackend(host['standard-L2-resid_post'], model.backend), 'with-error')])).toThrow(/two dictionaries write blocks\.2\.hook_resid_post/);
  });

  it('patching every feature and the error term from the clean run restores the clean metric exactly', async () => {
    const m = withDict('topk-L2-resid_post', 'with-error');
    const out = 'blocks.2.hook_resid_post';
    const names = [dictionaryHook.actsPost(out), dictionaryHook.error(out)];
    const clean = await run(m, { ids: CLEAN }, { capture: names, logits: 'last' });
    const cleanMetric = metric.evaluate(clean.logits!).value;
    const corrupt = await metricOf(m, CORRUPT);
    expect(Math.abs(cleanMetric - corrupt)).toBeGreaterThan(0.1);
    const patchAll = names.map((h): Intervention => ({ hook: h, op: 'replace', source: 'clean' }));
    expect(await metricOf(m, CORRUPT, patchAll, { clean: clean.cache })).toBeCloseTo(cleanMetric, 4);
    // Features alone (the corrupted error term kept) do not.
    expect(Math.abs((await metricOf(m, CORRUPT, patchAll.slice(0, 1), { clean: clean.cache })) - cleanMetric)).toBeGreaterThan(1e-3);
  });

  it('with the error term every gradient upstream of the splice is the plain model’s', async () => {
    const wrt = [hook.residPre(1), hook.residPost(0)];
    const plain = await gradients(model, { ids: CLEAN }, { metric, wrt });
    const spliced = await gradients(withDict('jumprelu-L1-resid_post', 'with-error'), { ids: CLEAN }, { metric, wrt });
    for (const h of wrt) {
      let worst = 0;
      plain.grads[h].data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - spliced.grads[h].data[i]))));
      expect(worst).toBeLessThan(1e-5);
    }
  });

  /** Central difference of the metric along `vector` added at (hook, pos). */
  async function finiteDifference(m: Model, name: string, pos: number, vector: number[], eps: number): Promise<number> {
    const at = (s: number) => metricOf(m, CLEAN, [{ hook: name, op: 'add', pos, vector: vector.map((v) => v * s) }]);
    return ((await at(eps)) - (await at(-eps))) / (2 * eps);
  }

  function unit(d: number, i: number): number[] {
    const v = new Array<number>(d).fill(0);
    v[i] = 1;
    return v;
  }

  for (const [folder, mode] of [['topk-L2-resid_post', 'with-error'], ['topk-L2-resid_post', 'without-error'], ['jumprelu-L1-resid_post', 'without-error']] as const) {
    it(`${folder} ${mode}: ∂M/∂feature acts and the gradient upstream match finite differences`, async () => {
      const m = withDict(folder, mode);
      const out = host[folder].config.hookOut;
      const acts = dictionaryHook.actsPost(out);
      const layer = Number(/^blocks\.(\d+)/.exec(out)![1]);
      const upstream = hook.residPre(layer);
      const g = await gradients(m, { ids: CLEAN }, { metric, wrt: [acts, upstream], keepActivations: true });
      const dSae = host[folder].config.dSae;
      const pos = 6;
      const row = g.activations![acts].data.subarray(pos * dSae, (pos + 1) * dSae);
      const active = [...row.keys()].filter((f) => row[f] !== 0).slice(0, 3);
      expect(active.length).toBe(3);
      for (const f of active) {
        const fd = await finiteDifference(m, acts, pos, unit(dSae, f), 1e-2);
        expect(g.grads[acts].data[pos * dSae + f]).toBeCloseTo(fd, 3);
      }
      // Upstream, through the encoder's mask (and the error term's dependence on the activation).
      for (const i of [3, 40]) {
        const fd = await finiteDifference(m, upstream, pos, unit(64, i), 1e-3);
        expect(g.grads[upstream].data[pos * 64 + i]).toBeCloseTo(fd, 3);
      }
    });
  }

  it('a transcoder without the error term: the gradient reaches its input hook (finite differences)', async () => {
    const folder = 'jumprelu_transcoder-L1-mlp';
    const m = withDict(folder, 'without-error');
    const { hookIn, hookOut, dSae } = host[folder].config;
    const acts = dictionaryHook.actsPost(hookOut);
    const g = await gradients(m, { ids: CLEAN }, { metric, wrt: [acts, hook.residPre(1)], keepActivations: true });
    const pos = 5;
    const row = g.activations![acts].data.subarray(pos * dSae, (pos + 1) * dSae);
    const f = [...row.keys()].find((i) => row[i] !== 0)!;
    expect(g.grads[acts].data[pos * dSae + f]).toBeCloseTo(await finiteDifference(m, acts, pos, unit(dSae, f), 1e-2), 3);
    // resid_pre 1 reaches the transcoder only through hookIn (ln2 of layer 1) and the attention.
    expect(hookIn).toMatch(/ln2/);
    for (const i of [0, 17]) expect(g.grads[hook.residPre(1)].data[pos * 64 + i]).toBeCloseTo(await finiteDifference(m, hook.residPre(1), pos, unit(64, i), 1e-3), 3);
  });

  it('a patching sweep that restarts at a spliced resid_pre splices it once (reusing == naive)', async () => {
    const atResidPre = (h: HostDictionary): HostDictionary => ({ ...h, config: { ...h.config, hookIn: hook.residPre(3), hookOut: hook.residPre(3) } });
    const m = withDict('topk-L2-resid_post', 'without-error', atResidPre);
    const cells = [2, 3, 4].flatMap((layer) => [8, 10].map((pos) => ({ layer, pos })));
    const req = { model: m, base: { ids: CORRUPT, interventions: [] }, source: { ids: CLEAN, interventions: [] }, which: 'resid_pre' as const, cells, metric: (l: Float32Array) => l[A] - l[B], position: 10 };
    const naive = await naiveSweep(req);
    const reused = await reusingSweep(req, { maxBatch: 4, maxRecompute: 0 });
    expect(reused.baseMetric).toBeCloseTo(naive.baseMetric, 5);
    naive.metric.forEach((v, i) => expect(reused.metric[i]).toBeCloseTo(v, 4));
  });
});
