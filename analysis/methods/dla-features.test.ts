/**
 * DLA on feature activations, for dictionaries attached to the model: each split (features +
 * b_dec + error) is exact against DLA's own components — a transcoder writing hook_mlp_out sums to
 * L{l}.mlp, an SAE on the last hook_resid_post to the whole total (metric − unembedding bias), an
 * SAE inside the network to its hook's activation read out through the same frozen norm — and
 * each feature's contribution is its activation times its decoder row's readout.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { dictionaryIndex, loadFixtureDictionary, loadHost } from '../../test/dictionary-goldens.ts';
import type { SpliceMode } from '../dictionaries/attach.ts';
import { attachDictionaries, spliceUse } from '../dictionaries/attach.ts';
import type { HostDictionary } from '../dictionaries/dictionary.ts';
import { dictionaryHook } from '../dictionaries/dictionary.ts';
import { dictionaryOnBackend } from '../dictionaries/device.ts';
import { hook } from '../hooks/points.ts';
import type { Model } from '../model/model.ts';
import { run } from '../model/run.ts';
import { directLogitAttribution } from './dla.ts';
import { dot, frozenReadout } from './readout.ts';

const HOST = 'stories260K-hf';
const IDS = [1, 274, 287, 269, 301, 314, 263, 377, 267, 265, 282, 295, 433, 267, 337, 335, 261, 370, 352, 266, 268, 388, 426];
let plain: Model;
const host: Record<string, HostDictionary> = {};
beforeAll(async () => {
  plain = await loadHost(HOST, createCpuBackend());
  for (const folder of ['jumprelu_transcoder-L1-mlp', 'standard-L2-resid_post']) host[folder] = await loadFixtureDictionary(HOST, dictionaryIndex(HOST).find((r) => r.folder === folder)!, 5);
});

function attach(mode: SpliceMode, ...dicts: HostDictionary[]): Model {
  return attachDictionaries(plain, dicts.map((h) => spliceUse(dictionaryOnBackend(h, plain.backend), mode)));
}

/** The SAE of layer 2 read as if it were trained on the last residual stream (the identity does not depend on training). */
const atLast = (h: HostDictionary): HostDictionary => ({ ...h, config: { ...h.config, hookIn: hook.residPost(4), hookOut: hook.residPost(4) } });

describe('DLA split into the features of attached dictionaries', () => {
  it('with the error term: transcoder = L1.mlp, last-layer SAE = total, inner SAE = its hook read out; components as without dictionaries', async () => {
    const sae = host['standard-L2-resid_post'];
    const model = attach('with-error', host['jumprelu_transcoder-L1-mlp'], sae, atLast(sae));
    const options = { pos: 12, answer: 261, wrong: 263 };
    const r = await directLogitAttribution(model, { ids: IDS }, options);
    const base = await directLogitAttribution(plain, { ids: IDS }, options);
    r.components.forEach((c, i) => expect(c.value).toBeCloseTo(base.components[i].value, 4));
    expect(r.dictionaries.map((s) => s.hook)).toEqual([hook.mlpOut(1), hook.residPost(2), hook.residPost(4)]);
    const [mlp, inner, last] = r.dictionaries;
    expect(mlp.total).toBeCloseTo(r.mlp[1], 5);
    expect(last.total).toBeCloseTo(r.total, 4);
    expect(last.total + r.unembedBias).toBeCloseTo(r.metric, 4);
    // Inside the network: the hook's activation through the same frozen readout, from a plain run.
    const plainRun = await run(plain, { ids: IDS }, { capture: [hook.residPost(2), hook.lnFinalScale] });
    const w = (await frozenReadout(plain, { answer: 261, wrong: 263 }, plainRun.cache[hook.lnFinalScale].data[12], true)).direction;
    expect(inner.total).toBeCloseTo(dot(plainRun.cache[hook.residPost(2)].data.subarray(12 * 64, 13 * 64), w), 5);
    for (const s of r.dictionaries) {
      expect(s.features.length).toBeGreaterThan(0);
      expect(s.features.reduce((a, f) => a + f.contribution, 0) + s.bias + s.error).toBeCloseTo(s.total, 9);
      expect(Math.abs(s.error)).toBeGreaterThan(1e-4);
    }
    // One feature by hand: activation · (W_dec[f] · w).
    const f = inner.features[0];
    const acts = await run(model, { ids: IDS }, { capture: [dictionaryHook.actsPost(hook.residPost(2))] });
    const decoder = sae.weights.decoder.data as Float32Array;
    expect(f.activation).toBe(acts.cache[dictionaryHook.actsPost(hook.residPost(2))].data[12 * sae.config.dSae + f.feature]);
    expect(f.contribution).toBeCloseTo(f.activation * dot(decoder.subarray(f.feature * 64, (f.feature + 1) * 64), w), 5);
  });

  it('without the error term: a transcoder replacing hook_mlp_out keeps the sums; a residual-stream replacement is refused', async () => {
    const r = await directLogitAttribution(attach('without-error', host['jumprelu_transcoder-L1-mlp']), { ids: IDS }, { pos: 12, answer: 261, wrong: 263 });
    const base = await directLogitAttribution(plain, { ids: IDS }, { pos: 12, answer: 261, wrong: 263 });
    const [split] = r.dictionaries;
    expect(split.error).toBe(0);
    expect(split.total).toBeCloseTo(r.mlp[1], 5);
    expect(Math.abs(r.mlp[1] - base.mlp[1])).toBeGreaterThan(1e-3);
    expect(r.total + r.unembedBias).toBeCloseTo(r.metric, 4);
    const replaced = attach('without-error', atLast(host['standard-L2-resid_post']));
    await expect(directLogitAttribution(replaced, { ids: IDS }, { pos: 12 })).rejects.toThrow(/replaces blocks\.4\.hook_resid_post without its error term/);
  });
});
