/**
 * Cross-layer transcoders spliced into the forward pass (splice.ts, HookOptions.crossLayerTranscoder):
 * a CLT equal to a ReLU model's MLPs reproduces its logits and greedy generation without the error
 * term; a random JumpReLU CLT leaves the logits unchanged with the error term (identity) and, without
 * it, matches an independent float64 forward (test/f64-forward.ts) whose MLP outputs are replaced by
 * the attribution graph's replacement-model reconstruction (replacementLayers: the graph's own math);
 * feature edits reach later layers and steering adds a feature's rows into every layer it writes.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { hook } from '../hooks/points.ts';
import { generate } from '../model/generate.ts';
import { modelOnBackend } from '../model/model.ts';
import { gaussian, randomWeights, smallSpec } from '../model/random.ts';
import { run } from '../model/run.ts';
import { graphTranscodersFromClt } from '../methods/attribution-graph/from-dictionary.ts';
import { replacementLayers, transcodersByLayer } from '../methods/attribution-graph/replacement.ts';
import { cltFiles, mlpClt } from '../../test/clt-files.ts';
import { forward64 } from '../../test/f64-forward.ts';
import type { CrossLayerTranscoder } from './circuit-tracer.ts';
import { cltLayers } from './circuit-tracer.ts';
import { cltOnBackend } from './clt-device.ts';
import type { CltUse, CltUseSpec } from './splice.ts';

const spec = smallSpec('gpt2', { activation: 'relu' });
const weights = randomWeights(spec, 5);
const model = modelOnBackend({ label: 'relu-gpt2', spec, weights, tokenizer: null }, createCpuBackend());
const ids = [3, 17, 42, 5, 9];
const { nLayers: L, dModel: d } = spec;

async function use(clt: CrossLayerTranscoder, spec: CltUseSpec): Promise<CltUse> {
  return { ...spec, clt: cltOnBackend(await cltLayers(clt), model.backend, 'test CLT') };
}

const dSae = 12;
/** JumpReLU thresholds in [0, 0.2); every layer's features write every later layer. */
async function randomClt(): Promise<CrossLayerTranscoder> {
  const normal = gaussian(17);
  const draw = (n: number, s: number) => Float32Array.from({ length: n }, () => s * normal());
  return cltFiles(
    model,
    dSae,
    async () => ({ wEnc: draw(dSae * d, 1 / Math.sqrt(d)), bEnc: draw(dSae, 0.1), bDec: draw(d, 0.1), threshold: draw(dSae, 0.1).map(Math.abs) }),
    async () => draw(dSae * d, 0.3),
  );
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('cross-layer transcoder splicing', () => {
  it('a CLT equal to the MLPs reproduces the logits and greedy generation without the error term', async () => {
    const clean = await run(model, { ids }, { capture: [hook.mlpPost(0)] });
    const clt = await use(await mlpClt(model), { errorTerm: false });
    const spliced = await run(model, { ids }, { crossLayerTranscoder: clt, capture: [`${hook.mlpOut(0)}.hook_sae_acts_post`] });
    expect(maxDiff(spliced.logits!.data, clean.logits!.data)).toBeLessThan(1e-4);
    // Its layer-0 features are the MLP's neurons.
    expect(maxDiff(spliced.cache[`${hook.mlpOut(0)}.hook_sae_acts_post`].data, clean.cache[hook.mlpPost(0)].data)).toBeLessThan(1e-5);
    const g0 = await generate(model, { ids }, { maxNewTokens: 4, temperature: 0 });
    const g1 = await generate(model, { ids }, { maxNewTokens: 4, temperature: 0, crossLayerTranscoder: clt });
    expect(g1.newIds).toEqual(g0.newIds);
  });

  it('with the error term the logits are unchanged; without it they move', async () => {
    const clt = await randomClt();
    const clean = await run(model, { ids });
    const withError = await run(model, { ids }, { crossLayerTranscoder: await use(clt, { errorTerm: true }), capture: [`${hook.mlpOut(1)}.hook_sae_error`] });
    expect(maxDiff(withError.logits!.data, clean.logits!.data)).toBeLessThan(1e-4);
    expect(Math.max(...withError.cache[`${hook.mlpOut(1)}.hook_sae_error`].data.map(Math.abs))).toBeGreaterThan(1e-2);
    const without = await run(model, { ids }, { crossLayerTranscoder: await use(clt, {}) });
    expect(maxDiff(without.logits!.data, clean.logits!.data)).toBeGreaterThan(1e-2);
  });

  it('without the error term it matches a float64 forward through the replacement model', async () => {
    const clt = await randomClt();
    const transcoders = await graphTranscodersFromClt(clt);
    /** The float64 forward with every MLP output replaced by the CLT's reconstruction from the inputs seen so far. */
    const reference = (decoders: 'all' | 'own layer only') => {
      const byLayer = transcodersByLayer(spec, decoders === 'all' ? transcoders : transcoders.map((t) => ({ ...t, decoders: t.decoders.filter((x) => x.layer === t.layer) })));
      const inputs = new Map<string, Float32Array>();
      return forward64(spec, weights, ids, (name, x) => {
        if (/^blocks\.\d+\.ln2\.hook_normalized$/.test(name)) inputs.set(name, Float32Array.from(x));
        const m = /^blocks\.(\d+)\.hook_mlp_out$/.exec(name);
        if (!m) return;
        const j = Number(m[1]);
        const upTo = byLayer.map((t, i) => (i <= j ? t : null));
        // With zero MLP outputs, the graph's error node is minus the reconstruction.
        const { layers } = replacementLayers(upTo, inputs, Array.from({ length: L }, () => new Float32Array(ids.length * d)), ids.length, d);
        return Float64Array.from(layers[j].error, (v) => -v);
      });
    };
    const spliced = await run(model, { ids }, { crossLayerTranscoder: await use(clt, { errorTerm: false }) });
    const want = reference('all');
    const got = spliced.logits!.data;
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
    expect(worst).toBeLessThan(1e-4);
    // The cross-layer rows matter: leaving them out of the reference breaks the match.
    expect(maxDiff(got, reference('own layer only'))).toBeGreaterThan(1e-2);
  });

  it('edits reach later layers; steering adds the feature’s rows into every layer it writes', async () => {
    const clt = await randomClt();
    const layers = await cltLayers(clt);
    const stage = (l: number, s: string) => `${hook.mlpOut(l)}.hook_sae_${s}`;
    const capture = [stage(0, 'acts_post'), stage(1, 'acts_post'), stage(0, 'recons'), stage(1, 'recons'), stage(0, 'output'), stage(1, 'output')];
    const base = await run(model, { ids }, { crossLayerTranscoder: await use(clt, {}), capture });
    const acts0 = base.cache[stage(0, 'acts_post')].data;
    const f = Array.from({ length: dSae }, (_, i) => i).find((i) => acts0.some((v, k) => k % dSae === i && v !== 0))!;
    expect(f).toBeDefined();

    const edited = await run(model, { ids }, { crossLayerTranscoder: await use(clt, { features: [{ layer: 0, feature: f, op: 'ablate' }], steer: [{ layer: 0, feature: 2, coefficient: 3 }] }), capture });
    const a0 = edited.cache[stage(0, 'acts_post')].data;
    const a1 = edited.cache[stage(1, 'acts_post')].data;
    for (let p = 0; p < ids.length; p++) expect(a0[p * dSae + f]).toBe(0);
    // Layer 1's reconstruction: b_dec_1 + the edited layer-0 features through W_dec_0[:, 1] + layer 1's own (float64 here).
    const rows01 = layers[0].later[0].rows.data as Float32Array;
    const rows11 = layers[1].dictionary.weights.decoder.data as Float32Array;
    const bDec1 = layers[1].dictionary.weights.bDec.data as Float32Array;
    const recons1 = edited.cache[stage(1, 'recons')].data;
    const out1 = edited.cache[stage(1, 'output')].data;
    const out0 = edited.cache[stage(0, 'output')].data;
    const recons0 = edited.cache[stage(0, 'recons')].data;
    const rows00 = layers[0].dictionary.weights.decoder.data as Float32Array;
    let worst = 0;
    for (let p = 0; p < ids.length; p++) {
      for (let i = 0; i < d; i++) {
        let want = bDec1[i];
        for (let g = 0; g < dSae; g++) want += a0[p * dSae + g] * rows01[g * d + i] + a1[p * dSae + g] * rows11[g * d + i];
        worst = Math.max(worst, Math.abs(recons1[p * d + i] - want));
        // Steering (layer 0, feature 2, ×3) lands in layer 0 through W_dec_0[:, 0] and in layer 1 through W_dec_0[:, 1].
        worst = Math.max(worst, Math.abs(out0[p * d + i] - recons0[p * d + i] - 3 * rows00[2 * d + i]));
        worst = Math.max(worst, Math.abs(out1[p * d + i] - recons1[p * d + i] - 3 * rows01[2 * d + i]));
      }
    }
    expect(worst).toBeLessThan(1e-4);
  });

  it('with the error term, an edit of layer 0 survives in layer 1: output₁ = true MLP out₁ − a₀[f]·W_dec_0[f, 1]', async () => {
    const clt = await randomClt();
    const layers = await cltLayers(clt);
    const stage = (l: number, s: string) => `${hook.mlpOut(l)}.hook_sae_${s}`;
    const base = await run(model, { ids }, { crossLayerTranscoder: await use(clt, { errorTerm: true }), capture: [stage(0, 'acts_post')] });
    const clean0 = base.cache[stage(0, 'acts_post')].data;
    const f = Array.from({ length: dSae }, (_, i) => i).find((i) => clean0.some((v, k) => k % dSae === i && v !== 0))!;
    const edited = await run(model, { ids }, {
      crossLayerTranscoder: await use(clt, { errorTerm: true, features: [{ layer: 0, feature: f, op: 'ablate' }] }),
      capture: [stage(1, 'output'), hook.mlpPost(1)],
    });
    // Layer 0's output changed by −a₀[f]·W_dec_0[f, 0] with a₀ unchanged (its input precedes the edit), so a₀ is base's.
    const out1 = edited.cache[stage(1, 'output')].data;
    const post1 = edited.cache[hook.mlpPost(1)].data;
    const wOut = weights.blocks[1].mlp.wOut.data as Float32Array;
    const bOut = weights.blocks[1].mlp.bOut!.data as Float32Array;
    const rows01 = layers[0].later[0].rows.data as Float32Array;
    const n = spec.dMlp;
    let worst = 0;
    for (let p = 0; p < ids.length; p++) {
      for (let i = 0; i < d; i++) {
        let mlp = bOut[i];
        for (let k = 0; k < n; k++) mlp += post1[p * n + k] * wOut[i * n + k];
        worst = Math.max(worst, Math.abs(out1[p * d + i] - (mlp - clean0[p * dSae + f] * rows01[f * d + i])));
      }
    }
    expect(worst).toBeLessThan(1e-4);
  });

  it('names what is wrong: a layer the CLT does not have, a feature outside it, a hook already written', async () => {
    const clt = await use(await randomClt(), {});
    await expect(run(model, { ids }, { crossLayerTranscoder: { ...clt, features: [{ layer: L, feature: 0, op: 'ablate' }] } })).rejects.toThrow(/names layer 2; it has layers 0\.\.1/);
    await expect(run(model, { ids }, { crossLayerTranscoder: { ...clt, steer: [{ layer: 0, feature: dSae, coefficient: 1 }] } })).rejects.toThrow(new RegExp(`feature ${dSae} is outside`));
    await expect(run(model, { ids }, { crossLayerTranscoder: clt, dictionaries: [{ dictionary: clt.clt.layers[0].dictionary }] })).rejects.toThrow(/two dictionaries write blocks\.0\.hook_mlp_out/);
  });
});
