/**
 * Splicing semantics beyond the fixtures, each against a float64 evaluation of the SAELens
 * formulas on the captured input: hook_z reshaping, one head (hook_head_index), activation
 * normalisation (constant_norm_rescale, layer_norm), feature edits, steering, generation with a
 * KV cache, and patching feature activations from another run's cache.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { HostWeight } from '../../gpu/backend.ts';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { seededRandom } from '../../gpu/random.ts';
import { loadHost } from '../../test/dictionary-goldens.ts';
import { generate } from '../model/generate.ts';
import type { Model } from '../model/model.ts';
import { run } from '../model/run.ts';
import type { DictionaryConfig, HostDictionary } from './dictionary.ts';
import { dictionaryHook } from './dictionary.ts';
import type { Dictionary } from './device.ts';
import { dictionaryOnBackend } from './device.ts';

let model: Model;
beforeAll(async () => {
  model = await loadHost('stories260K-hf', createCpuBackend());
});

function weight(name: string, shape: number[], next: () => number, scale: number): HostWeight {
  const n = shape.reduce((a, b) => a * b, 1);
  return { name, dtype: 'F32', shape, data: Float32Array.from({ length: n }, () => (2 * next() - 1) * scale) };
}

/** A random ReLU dictionary (biases pushed negative so it is sparse). */
function randomDictionary(config: Partial<DictionaryConfig> & Pick<DictionaryConfig, 'hookIn' | 'dIn'>, seed: number, dSae = 24): HostDictionary {
  const next = seededRandom(seed);
  const dOut = config.dOut ?? config.dIn;
  return {
    config: {
      label: `random-${seed}`,
      format: 'saelens',
      architecture: 'standard',
      activation: 'relu',
      kind: 'sae',
      hookOut: config.hookIn,
      headIndex: null,
      dSae,
      dOut,
      k: null,
      applyBDecToInput: false,
      normalization: 'none',
      modelName: null,
      ...config,
    },
    weights: {
      encoder: weight('enc', [dSae, config.dIn], next, 1),
      bEnc: weight('b_enc', [dSae], next, 0.5),
      decoder: weight('dec', [dSae, dOut], next, 0.5),
      bDec: weight('b_dec', [dOut], next, 0.2),
      threshold: null,
      skip: null,
    },
  };
}

/** SAELens in float64 on host rows x [rows, d_in] → {acts, recons}. */
function reference(dict: HostDictionary, x: Float32Array, rows: number): { acts: Float64Array; recons: Float64Array } {
  const { dIn, dSae, dOut, normalization, applyBDecToInput } = dict.config;
  const w = dict.weights;
  const [enc, bEnc, dec, bDec] = [w.encoder, w.bEnc, w.decoder, w.bDec].map((t) => t.data as Float32Array);
  const acts = new Float64Array(rows * dSae);
  const recons = new Float64Array(rows * dOut);
  for (let r = 0; r < rows; r++) {
    const row = Array.from(x.subarray(r * dIn, (r + 1) * dIn));
    let scale = 1;
    let shift = 0;
    let inp = row;
    if (normalization === 'constant_norm_rescale') {
      const norm = Math.hypot(...row);
      scale = norm / Math.sqrt(dIn);
      inp = row.map((v) => (v * Math.sqrt(dIn)) / norm);
    } else if (normalization === 'layer_norm') {
      const mu = row.reduce((a, b) => a + b, 0) / dIn;
      const std = Math.sqrt(row.reduce((a, b) => a + (b - mu) ** 2, 0) / (dIn - 1));
      inp = row.map((v) => (v - mu) / (std + 1e-5));
      scale = std;
      shift = mu;
    }
    if (applyBDecToInput) inp = inp.map((v, i) => v - bDec[i]);
    for (let f = 0; f < dSae; f++) {
      let s = bEnc[f];
      for (let i = 0; i < dIn; i++) s += inp[i] * enc[f * dIn + i];
      acts[r * dSae + f] = Math.max(0, s);
    }
    for (let o = 0; o < dOut; o++) {
      let s = bDec[o];
      for (let f = 0; f < dSae; f++) s += acts[r * dSae + f] * dec[f * dOut + o];
      recons[r * dOut + o] = s * scale + shift;
    }
  }
  return { acts, recons };
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-4): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) - tol * Math.abs(want[i]));
  expect(worst).toBeLessThanOrEqual(tol);
}

const ids = [1, 403, 407, 261, 378, 410, 1, 87, 403];

async function spliced(hook: string, dict: Dictionary, capture: string[], extra = {}) {
  return run(model, { ids }, { capture, dictionaries: [{ dictionary: dict, ...extra }] });
}

describe('input layouts and normalisation', () => {
  it.each(['none', 'constant_norm_rescale', 'layer_norm'] as const)('hook_z, all heads flattened, normalisation %s', async (normalization) => {
    const { nHeads, dHead } = model.spec;
    const hook = 'blocks.1.attn.hook_z';
    const host = randomDictionary({ hookIn: hook, dIn: nHeads * dHead, normalization, applyBDecToInput: normalization === 'none' }, 3);
    const dict = dictionaryOnBackend(host, model.backend);
    const clean = await run(model, { ids }, { capture: [hook] });
    const want = reference(host, clean.cache[hook].data, ids.length);
    const r = await spliced(hook, dict, [dictionaryHook.actsPost(hook), hook]);
    expectClose(r.cache[dictionaryHook.actsPost(hook)].data, want.acts);
    // The captured hook_z is what the forward continues with: the reconstruction, in [b, p, h, dHead].
    expect(r.cache[hook].shape).toEqual([1, ids.length, nHeads, dHead]);
    expectClose(r.cache[hook].data, want.recons);
  });

  it('one head (hook_head_index): the other heads are untouched bit for bit', async () => {
    const { nHeads, dHead } = model.spec;
    const hook = 'blocks.0.attn.hook_z';
    const head = 1;
    const host = randomDictionary({ hookIn: hook, dIn: dHead, headIndex: head }, 5);
    const clean = await run(model, { ids }, { capture: [hook] });
    const z = clean.cache[hook].data;
    const headRows = Float32Array.from({ length: ids.length * dHead }, (_, i) => z[(Math.floor(i / dHead) * nHeads + head) * dHead + (i % dHead)]);
    const want = reference(host, headRows, ids.length);
    const r = await spliced(hook, dictionaryOnBackend(host, model.backend), [hook]);
    for (let p = 0; p < ids.length; p++) {
      for (let h = 0; h < nHeads; h++) {
        const at = (p * nHeads + h) * dHead;
        const got = r.cache[hook].data.subarray(at, at + dHead);
        if (h === head) expectClose(got, want.recons.subarray(p * dHead, (p + 1) * dHead));
        else expect([...got]).toEqual([...z.subarray(at, at + dHead)]);
      }
    }
  });
});

describe('feature edits, steering and composition', () => {
  const hook = 'blocks.2.hook_resid_post';
  let host: HostDictionary;
  let dict: Dictionary;
  beforeAll(() => {
    host = randomDictionary({ hookIn: hook, dIn: model.spec.dModel }, 9);
    dict = dictionaryOnBackend(host, model.backend);
  });

  it('ablate, scale and clamp act on the chosen features and positions only', async () => {
    const name = dictionaryHook.actsPost(hook);
    const base = (await spliced(hook, dict, [name])).cache[name].data;
    const edited = (
      await spliced(hook, dict, [name], {
        features: [
          { feature: [0, 1], op: 'ablate' },
          { feature: 2, op: 'scale', value: 3, pos: [4, 5] },
          { feature: 3, op: 'clamp', value: 7.5, pos: 2 },
        ],
      })
    ).cache[name].data;
    const dSae = host.config.dSae;
    for (let p = 0; p < ids.length; p++) {
      for (let f = 0; f < dSae; f++) {
        const i = p * dSae + f;
        const want = f < 2 ? 0 : f === 2 && (p === 4 || p === 5) ? 3 * base[i] : f === 3 && p === 2 ? 7.5 : base[i];
        expect(edited[i]).toBeCloseTo(want, 5);
      }
    }
  });

  it('edits survive the error term: output − clean target = Δacts · W_dec', async () => {
    const clean = await run(model, { ids }, { capture: [hook] });
    const acts = (await spliced(hook, dict, [dictionaryHook.actsPost(hook)])).cache[dictionaryHook.actsPost(hook)].data;
    const r = await spliced(hook, dict, [hook], { errorTerm: true, features: [{ feature: 4, op: 'clamp', value: 2 }] });
    const { dSae, dOut } = host.config;
    const dec = host.weights.decoder.data as Float32Array;
    const want = Float64Array.from(clean.cache[hook].data, (v, i) => {
      const p = Math.floor(i / dOut);
      return v + (2 - acts[p * dSae + 4]) * dec[4 * dOut + (i % dOut)];
    });
    expectClose(r.cache[hook].data, want);
  });

  it('steering adds coefficient · W_dec[f] at the chosen positions', async () => {
    const clean = await run(model, { ids }, { capture: [hook] });
    const r = await spliced(hook, dict, [hook], { errorTerm: true, steer: [{ feature: 6, coefficient: -4, pos: [7, 8] }] });
    const dOut = host.config.dOut;
    const dec = host.weights.decoder.data as Float32Array;
    const want = Float64Array.from(clean.cache[hook].data, (v, i) => (Math.floor(i / dOut) >= 7 ? v - 4 * dec[6 * dOut + (i % dOut)] : v));
    expectClose(r.cache[hook].data, want);
  });

  it('observing only (splice: false) leaves the logits bit-identical', async () => {
    const clean = await run(model, { ids });
    const r = await spliced(hook, dict, [dictionaryHook.actsPost(hook)], { splice: false, features: [{ feature: 0, op: 'clamp', value: 100 }] });
    expect(Buffer.from(r.logits!.data.buffer).equals(Buffer.from(clean.logits!.data.buffer))).toBe(true);
  });

  it('feature activations can be patched from another run (replace from a cache)', async () => {
    const name = dictionaryHook.actsPost(hook);
    const other = [1, 87, 410, 261, 403, 378, 407, 1, 403];
    const source = await run(model, { ids: other }, { capture: [name], dictionaries: [{ dictionary: dict }] });
    const patched = await run(model, { ids }, {
      capture: [name],
      dictionaries: [{ dictionary: dict }],
      interventions: [{ hook: name, op: 'replace', source: 'other', pos: 5 }],
      caches: { other: source.cache },
    });
    const dSae = host.config.dSae;
    expect([...patched.cache[name].data.subarray(5 * dSae, 6 * dSae)]).toEqual([...source.cache[name].data.subarray(5 * dSae, 6 * dSae)]);
  });

  it('generation: KV-cached steps equal full re-runs with the dictionary spliced in', async () => {
    const use = { dictionary: dict, steer: [{ feature: 1, coefficient: 3 }] };
    const prompt = [1, 403, 407];
    const gen = await generate(model, { ids: prompt }, { maxNewTokens: 6, temperature: 0, dictionaries: [use], stopTokens: [] });
    const seq = [...prompt];
    for (let t = 0; t < 6; t++) {
      const r = await run(model, { ids: seq }, { logits: 'last', dictionaries: [use] });
      const last = r.logits!.data;
      seq.push(last.indexOf(Math.max(...last)));
    }
    expect(gen.newIds).toEqual(seq.slice(prompt.length));
    const clean = await generate(model, { ids: prompt }, { maxNewTokens: 6, temperature: 0, stopTokens: [] });
    expect(clean.newIds).not.toEqual(gen.newIds);
  });
});
