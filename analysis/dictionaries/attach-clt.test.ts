/**
 * A cross-layer transcoder through the common dictionaries param (the host's CLT resolver opens
 * it): attached with its error term the model and its gradients are unchanged (the backward passes
 * straight through the identity splice); without it the model changes and gradients are refused
 * by name; a run that brings its own CLT to a model that splices one is refused.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { cltFiles } from '../../test/clt-files.ts';
import { gradients } from '../grad/gradients.ts';
import { logitDiff } from '../grad/metric.ts';
import { hook } from '../hooks/points.ts';
import { modelOnBackend } from '../model/model.ts';
import { gaussian, randomWeights, smallSpec } from '../model/random.ts';
import { run } from '../model/run.ts';
import { withParamDictionaries } from '../registry/dictionary-params.ts';
import type { MethodInputs } from '../registry/contract.ts';
import type { CrossLayerTranscoder } from './circuit-tracer.ts';
import { dictionaryHook } from './dictionary.ts';

const spec = smallSpec('gpt2', { activation: 'relu' });
const model = modelOnBackend({ label: 'relu-gpt2', spec, weights: randomWeights(spec, 5), tokenizer: null }, createCpuBackend());
const ids = [3, 17, 42, 5, 9];
const metric = logitDiff(1, 2, -1);
const dSae = 12;

async function randomClt(): Promise<CrossLayerTranscoder> {
  const normal = gaussian(17);
  const d = spec.dModel;
  const draw = (n: number, s: number) => Float32Array.from({ length: n }, () => s * normal());
  return cltFiles(model, dSae, async () => ({ wEnc: draw(dSae * d, 1 / Math.sqrt(d)), bEnc: draw(dSae, 0.1), bDec: draw(d, 0.1), threshold: draw(dSae, 0.1).map(Math.abs) }), async () => draw(dSae * d, 0.3));
}

const host = (clt: CrossLayerTranscoder): MethodInputs => ({
  prompts: null,
  dataset: null,
  dictionaries: (ref) => Promise.reject(new Error(`not a per-layer dictionary: ${ref}`)),
  crossLayerTranscoder: async (ref) => (ref === 'clt' ? clt : null),
});

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i] - b[i]));
  return w;
}

describe('a cross-layer transcoder through params.dictionaries', () => {
  it('with the error term: logits and gradients unchanged; its features are hook points', async () => {
    const clt = await randomClt();
    const { model: spliced, release } = await withParamDictionaries(model, { dictionaries: ['clt'] }, host(clt));
    try {
      expect(spliced.crossLayerTranscoder?.errorTerm).toBe(true);
      const acts = dictionaryHook.actsPost(hook.mlpOut(1));
      const [plain, withClt] = await Promise.all([run(model, { ids }), run(spliced, { ids }, { capture: [acts] })]);
      expect(maxDiff(plain.logits!.data, withClt.logits!.data)).toBeLessThan(1e-4);
      expect(withClt.cache[acts].shape).toEqual([1, ids.length, dSae]);
      const wrt = [hook.residPre(0), hook.residPost(0)];
      const [g0, g1] = await Promise.all([model, spliced].map((m) => gradients(m, { ids }, { metric, wrt })));
      for (const h of wrt) expect(maxDiff(g0.grads[h].data, g1.grads[h].data)).toBeLessThan(1e-5);
      await expect(run(spliced, { ids }, { crossLayerTranscoder: spliced.crossLayerTranscoder })).rejects.toThrow(/already splices/);
    } finally {
      release();
    }
  });

  it('without the error term: the model changes and gradients are refused by name', async () => {
    const { model: spliced, release } = await withParamDictionaries(model, { dictionaries: ['clt'], dictionarySplice: 'without-error' }, host(await randomClt()));
    try {
      const [plain, replaced] = await Promise.all([run(model, { ids }), run(spliced, { ids })]);
      expect(maxDiff(plain.logits!.data, replaced.logits!.data)).toBeGreaterThan(1e-2);
      await expect(gradients(spliced, { ids }, { metric, wrt: [hook.residPre(0)] })).rejects.toThrow(/cross-layer transcoder clt spliced without its error term are not implemented/);
    } finally {
      release();
    }
  });
});
