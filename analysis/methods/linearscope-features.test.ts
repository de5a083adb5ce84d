/**
 * LinearScope with a dictionary attached at its start hook (with the error term): the network and
 * its decomposition are unchanged, and each position's contribution splits exactly into its
 * features, b_dec and error term, in both linearisations. A splice without the error term is
 * refused by name.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { dictionaryIndex, loadFixtureDictionary, loadHost } from '../../test/dictionary-goldens.ts';
import type { SpliceMode } from '../dictionaries/attach.ts';
import { attachDictionaries, spliceUse } from '../dictionaries/attach.ts';
import type { HostDictionary } from '../dictionaries/dictionary.ts';
import { dictionaryOnBackend } from '../dictionaries/device.ts';
import { hook } from '../hooks/points.ts';
import type { Model } from '../model/model.ts';
import { linearScope } from './linearscope.ts';

const HOST = 'stories260K-hf';
const IDS = [1, 317, 263, 377, 267, 265, 282, 295, 433, 426, 317];
let plain: Model;
let sae: HostDictionary;
beforeAll(async () => {
  plain = await loadHost(HOST, createCpuBackend());
  sae = await loadFixtureDictionary(HOST, dictionaryIndex(HOST).find((r) => r.folder === 'topk-L2-resid_post')!, 5);
});

const attach = (mode: SpliceMode) => attachDictionaries(plain, [spliceUse(dictionaryOnBackend(sae, plain.backend), mode)]);
const options = { target: 261, wrong: 263, start: hook.residPost(2) };

describe('LinearScope over the features of a dictionary at its start hook', () => {
  for (const mode of ['secant', 'tangent'] as const) {
    it(`${mode}: decomposition unchanged; features + b_dec + error = each position's contribution`, async () => {
      const base = await linearScope(plain, { ids: IDS }, { ...options, mode });
      const r = await linearScope(attach('with-error'), { ids: IDS }, { ...options, mode });
      expect(base.features).toBeNull();
      r.perPosition.forEach((v, j) => expect(v).toBeCloseTo(base.perPosition[j], 4));
      const f = r.features!;
      expect(f.items.length).toBeGreaterThan(IDS.length);
      let worst = 0;
      r.perPosition.forEach((v, j) => {
        const sum = f.items.filter((i) => i.pos === j).reduce((a, i) => a + i.contribution, 0) + f.bias[j] + f.error[j];
        worst = Math.max(worst, Math.abs(sum - v));
      });
      expect(worst).toBeLessThan(1e-4);
      expect(f.error.some((e) => Math.abs(e) > 1e-3)).toBe(true);
    });
  }

  it('a dictionary spliced without its error term is refused', async () => {
    await expect(linearScope(attach('without-error'), { ids: IDS }, options)).rejects.toThrow(/spliced into blocks\.2\.hook_resid_post without its error term/);
  });
});
