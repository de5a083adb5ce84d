/**
 * ObsProp against dictionary features: with the observable e(answer) − e(wrong), a feature's
 * activation · (W_dec[f] · y) is its direct contribution — the same number DLA's feature split
 * computes through its own frozen readout (readout.ts), here from ObsProp's pull-back through the
 * unembedding and the final norm (obsprop-features.ts). Features are ranked by |W_dec[f] · y|.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { dictionaryIndex, loadFixtureDictionary, loadHost } from '../../test/dictionary-goldens.ts';
import { attachDictionaries, spliceUse } from '../dictionaries/attach.ts';
import { dictionaryOnBackend } from '../dictionaries/device.ts';
import type { Model } from '../model/model.ts';
import { directLogitAttribution } from './dla.ts';
import { obsprop } from './obsprop.ts';

const HOST = 'stories260K-hf';
const IDS = [1, 274, 287, 269, 301, 314, 263, 377, 267, 265, 282, 295, 433, 267, 337, 335, 261, 370, 352, 266, 268, 388, 426];
let model: Model;
beforeAll(async () => {
  const plain = await loadHost(HOST, createCpuBackend());
  const sae = await loadFixtureDictionary(HOST, dictionaryIndex(HOST).find((r) => r.folder === 'topk-L2-resid_post')!, 5);
  model = attachDictionaries(plain, [spliceUse(dictionaryOnBackend(sae, plain.backend), 'with-error')]);
});

describe('ObsProp scores of dictionary features', () => {
  it('activation · W_dec[f]·y equals DLA’s feature split for the same logit difference; ranked by |weight|', async () => {
    const [answer, wrong, pos] = [261, 263, 12];
    const o = await obsprop(model, { positive: [answer], negative: [wrong], prompt: { ids: IDS }, pos, effects: 'none', similarity: false, topK: 0 });
    const d = await directLogitAttribution(model, { ids: IDS }, { pos, answer, wrong });
    const [scored] = o.dictionaries;
    const [split] = d.dictionaries;
    expect(scored.hook).toBe('blocks.2.hook_resid_post');
    scored.top.slice(1).forEach((f, i) => expect(Math.abs(f.weight)).toBeLessThanOrEqual(Math.abs(scored.top[i].weight)));
    const active = scored.top.filter((f) => f.activation !== 0);
    expect(active.length).toBeGreaterThan(0);
    for (const f of active) {
      const same = split.features.find((s) => s.feature === f.feature)!;
      expect(f.activation).toBe(same.activation);
      expect(f.contribution!).toBeCloseTo(same.contribution, 6);
    }
  });
});
