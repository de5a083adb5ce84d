/**
 * Activation patching: the fixture goldens (e), the identities of METHODS.md, and that the
 * reusing/batched executor gives exactly the numbers of naive re-running on every sweep.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { createWasmBackend } from '../../gpu/wasm/index.ts';
import { hook } from '../hooks/points.ts';
import type { Model } from '../model/model.ts';
import { modelOnBackend } from '../model/model.ts';
import { randomWeights, smallSpec } from '../model/random.ts';
import { run } from '../model/run.ts';
import type { ModelSpec } from '../model/spec.ts';
import { loadFixtureModel } from '../../test/fixture-model.ts';
import type { FixtureModel } from '../../test/reference.ts';
import { FIXTURE_MODELS, flatten, loadReference, maxAbsDiff, worstMismatch } from '../../test/reference.ts';
import { corruptedInput, embeddingStd } from './corruption.ts';
import type { PatchHook } from './patch-cells.ts';
import { HEAD_HOOKS, nested, RESID_HOOKS } from './patch-cells.ts';
import type { PatchingOptions } from './patching.ts';
import { activationPatching, defaultBatching } from './patching.ts';

interface PatchingGolden {
  readonly corrupted_input_ids: number[];
  readonly clean_token: number;
  readonly corrupted_token: number;
  readonly clean_metric: number;
  readonly corrupted_metric: number;
  readonly replaced_position: number;
  readonly grid: number[][];
}

describe.each(FIXTURE_MODELS)('golden (e) activation_patching: %s', (name: FixtureModel) => {
  it('resid_pre [layer, pos] grid, clean and corrupted metric within 1e-4', async () => {
    const ref = loadReference(name);
    const golden = ref.methods.activation_patching as PatchingGolden;
    const model = await loadFixtureModel(name);
    const r = await activationPatching(model, {
      clean: ref.inputs[0].input_ids,
      corruption: { kind: 'tokens', ids: golden.corrupted_input_ids },
      hook: 'resid_pre',
      metric: { answer: golden.clean_token, wrong: golden.corrupted_token },
    });
    const expected = flatten(golden.grid);
    expect(r.axes).toEqual(['layer', 'pos']);
    expect(r.shape).toEqual(expected.shape);
    expect(worstMismatch(r.metric, expected.data)).toBeNull();
    expect(maxAbsDiff(r.metric, expected.data)).toBeLessThan(1e-4);
    expect(Math.abs(r.cleanMetric - golden.clean_metric)).toBeLessThan(1e-4);
    expect(Math.abs(r.corruptedMetric - golden.corrupted_metric)).toBeLessThan(1e-4);
    // The replaced token's embedding is all that differs at layer 0.
    const p = golden.replaced_position;
    expect(r.normalized[p]).toBeCloseTo(1, 5);
    expect(nested(r.metric, r.shape)).toHaveLength(ref.n_layers);
  });
});

const TYPES: ModelSpec['modelType'][] = ['gpt2', 'gpt_neox', 'llama', 'qwen2'];

function randomModel(type: ModelSpec['modelType']): Model {
  const spec = smallSpec(type);
  return modelOnBackend({ label: `random-${type}`, spec, weights: randomWeights(spec, 11), tokenizer: null }, createCpuBackend());
}

const clean = [3, 17, 42, 5, 9, 33, 2, 61];
const corrupt = [3, 17, 40, 5, 9, 12, 2, 61];
const tokenCorruption = { kind: 'tokens', ids: corrupt } as const;
const metric = { answer: 7, wrong: 30 };

function sweeps(spec: ModelSpec): { hook: PatchHook; byPosition: boolean }[] {
  const resid = RESID_HOOKS.filter((h) => !(h === 'resid_mid' && spec.parallelResidual));
  return [
    ...resid.flatMap((h) => [{ hook: h, byPosition: true }, { hook: h, byPosition: false }]),
    ...HEAD_HOOKS.flatMap((h) => [{ hook: h, byPosition: true }, { hook: h, byPosition: false }]),
    { hook: 'pattern', byPosition: false },
  ];
}

describe.each(TYPES)('reusing executor equals naive re-running: %s', (type) => {
  const model = randomModel(type);
  it.each(sweeps(model.spec))('$hook byPosition=$byPosition', async ({ hook: which, byPosition }) => {
    const options: PatchingOptions = { clean, corruption: tokenCorruption, hook: which, byPosition, metric };
    const naive = await activationPatching(model, { ...options, mode: 'naive' });
    const reused = await activationPatching(model, options);
    // CPU arithmetic is per row and per position, independent of batch and cache split: identical.
    expect(Array.from(reused.metric)).toEqual(Array.from(naive.metric));
    expect(reused.cleanMetric).toBe(naive.cleanMetric);
    expect(reused.corruptedMetric).toBe(naive.corruptedMetric);
    expect(reused.patchedCalls).toBeLessThanOrEqual(naive.patchedCalls);
    // The sweep is not degenerate: some cell moves the metric.
    expect(Array.from(naive.metric).some((m) => Math.abs(m - naive.corruptedMetric) > 1e-3)).toBe(true);
  });

  it('every batching plan, noising, noise corruption and a non-final metric position agree with naive', async () => {
    const variants: Partial<PatchingOptions>[] = [
      { batching: { maxBatch: 3, maxRecompute: Infinity } },
      { batching: { maxBatch: 64, maxRecompute: 2 } },
      { direction: 'noising' },
      { corruption: { kind: 'noise', positions: [1, 4], seed: 5 } },
      { position: 5 },
      { metric: (logits: Float32Array) => Math.log(Math.exp(logits[7]) + Math.exp(logits[8])) },
    ];
    for (const variant of variants) {
      for (const which of ['resid_pre', 'z'] as const) {
        const options: PatchingOptions = { clean, corruption: tokenCorruption, hook: which, metric, ...variant };
        const naive = await activationPatching(model, { ...options, mode: 'naive' });
        const reused = await activationPatching(model, options);
        expect(Array.from(reused.metric), JSON.stringify(variant)).toEqual(Array.from(naive.metric));
      }
    }
  });
});

describe('patching identities', () => {
  it.each(TYPES)('%s: patching all of layer 0 resid_pre restores the clean metric (normalised 1), noising removes it', async (type) => {
    const model = randomModel(type);
    const den = await activationPatching(model, { clean, corruption: tokenCorruption, hook: 'resid_pre', byPosition: false, metric });
    expect(den.axes).toEqual(['layer']);
    expect(den.metric[0]).toBe(den.cleanMetric);
    expect(den.normalized[0]).toBe(1);
    const noi = await activationPatching(model, { clean, corruption: tokenCorruption, hook: 'resid_pre', byPosition: false, metric, direction: 'noising' });
    expect(noi.metric[0]).toBe(noi.corruptedMetric);
    expect(Math.abs(noi.normalized[0])).toBe(0);
  });

  it.each(TYPES)('%s: clean into clean changes nothing', async (type) => {
    const model = randomModel(type);
    for (const which of ['resid_pre', 'attn_out', 'k', 'pattern'] as const) {
      const r = await activationPatching(model, { clean, corruption: { kind: 'tokens', ids: clean }, hook: which, metric });
      expect(r.cleanMetric).toBe(r.corruptedMetric);
      expect(new Set(r.metric)).toEqual(new Set([r.cleanMetric]));
      expect(r.normalized.every(Number.isNaN)).toBe(true); // nothing to restore
    }
  });

  it('cells after the metric position keep the corrupted metric; positions before the corruption do nothing', async () => {
    const model = randomModel('llama');
    const r = await activationPatching(model, { clean, corruption: tokenCorruption, hook: 'resid_pre', metric, position: 4 });
    const S = clean.length;
    for (let l = 0; l < model.spec.nLayers; l++) {
      for (let p = 0; p < S; p++) {
        if (p > 4 || p < 2) expect(r.metric[l * S + p]).toBe(r.corruptedMetric);
      }
    }
  });

  it('shapes: [layer, pos, head] and [layer, head], kv heads for k/v on GQA models', async () => {
    const model = randomModel('llama');
    const { nLayers: L, nHeads: H, nKvHeads: KV } = model.spec;
    const z = await activationPatching(model, { clean, corruption: tokenCorruption, hook: 'z', metric });
    expect([z.axes, z.shape]).toEqual([['layer', 'pos', 'head'], [L, clean.length, H]]);
    const k = await activationPatching(model, { clean, corruption: tokenCorruption, hook: 'k', byPosition: false, metric });
    expect([k.axes, k.shape]).toEqual([['layer', 'head'], [L, KV]]);
    const pattern = await activationPatching(model, { clean, corruption: tokenCorruption, hook: 'pattern', metric });
    expect([pattern.axes, pattern.shape]).toEqual([['layer', 'head'], [L, H]]);
  });
});

describe('cells that patch in what is already there are not run', () => {
  it('token corruption at positions 2 and 5: layer 0 at the other positions and positions 0–1 at every layer are skipped, exactly', async () => {
    const model = randomModel('gpt2');
    const L = model.spec.nLayers;
    const S = clean.length;
    const naive = await activationPatching(model, { clean, corruption: tokenCorruption, hook: 'resid_pre', metric, mode: 'naive' });
    const reused = await activationPatching(model, { clean, corruption: tokenCorruption, hook: 'resid_pre', metric });
    expect(Array.from(reused.metric)).toEqual(Array.from(naive.metric));
    // One call per (layer, position) on the CPU, less the 6 + 2·(L − 1) skipped cells.
    expect(reused.patchedCalls).toBe(L * S - 6 - 2 * (L - 1));
  });

  it('nothing is skipped when every token differs, and the grid still equals naive', async () => {
    const model = randomModel('llama');
    const corruption = { kind: 'tokens', ids: clean.map((t) => t + 1) } as const;
    for (const which of ['resid_pre', 'z'] as const) {
      const naive = await activationPatching(model, { clean, corruption, hook: which, metric, mode: 'naive' });
      const reused = await activationPatching(model, { clean, corruption, hook: which, metric });
      expect(Array.from(reused.metric)).toEqual(Array.from(naive.metric));
      if (which === 'resid_pre') expect(reused.patchedCalls).toBe(model.spec.nLayers * clean.length);
    }
  });
});

describe('fast CPU backend sweep (default batching: rows recompute up to 3 positions)', () => {
  it('equals naive re-running within f32 tolerance, with fewer calls than positions × layers', async () => {
    const backend = await createWasmBackend({ threads: 2 });
    try {
      const spec = smallSpec('gpt2');
      const model = modelOnBackend({ label: 'random-gpt2', spec, weights: randomWeights(spec, 11), tokenizer: null }, backend);
      const options: PatchingOptions = { clean, corruption: tokenCorruption, hook: 'resid_pre', metric };
      const naive = await activationPatching(model, { ...options, mode: 'naive' });
      const reused = await activationPatching(model, options);
      reused.metric.forEach((m, i) => expect(Math.abs(m - naive.metric[i]), `cell ${i}`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(naive.metric[i]))));
      expect(reused.patchedCalls).toBeLessThan(spec.nLayers * clean.length - 6 - 2 * (spec.nLayers - 1));
    } finally {
      backend.close();
    }
  });
});

describe('default batching', () => {
  it('CPU: rows share a call only from the same start; big patterns shrink the batch', () => {
    const model = randomModel('gpt2');
    expect(defaultBatching(model, 8)).toEqual({ maxBatch: 64, maxRecompute: 0 });
    const wide = { ...model, spec: { ...model.spec, nHeads: 12, dMlp: 3072 } };
    // Per row: a [12, 1024, 1024] pattern + [1024, 3072] MLP activations; 4 rows fit in 2^26 floats.
    expect(defaultBatching(wide, 1024).maxBatch).toBe(4);
    expect(defaultBatching({ ...model, backend: { ...model.backend, info: { name: 'webgpu', adapter: 'test' } } }, 8).maxRecompute).toBe(Infinity);
    expect(defaultBatching({ ...model, backend: { ...model.backend, info: { name: 'wasm', adapter: 'test' } } }, 8).maxRecompute).toBe(3);
  });
});

describe('Gaussian-noise corruption', () => {
  const model = randomModel('gpt2');

  it('adds σ = 3·std(W_E) noise at the chosen positions only, reproducibly per seed', async () => {
    const a = await activationPatching(model, { clean, corruption: { kind: 'noise', positions: [2], seed: 1 }, hook: 'resid_pre', metric });
    const b = await activationPatching(model, { clean, corruption: { kind: 'noise', positions: [2], seed: 1 }, hook: 'resid_pre', metric });
    const c = await activationPatching(model, { clean, corruption: { kind: 'noise', positions: [2], seed: 2 }, hook: 'resid_pre', metric });
    expect(a.noiseSigma).toBeCloseTo(3 * (await embeddingStd(model)), 12);
    expect(a.noiseSigma! / 3).toBeGreaterThan(0.19); // random weights are N(0, 0.2²)
    expect(a.noiseSigma! / 3).toBeLessThan(0.21);
    expect(a.corruptedIds).toEqual(clean);
    expect(Array.from(a.metric)).toEqual(Array.from(b.metric));
    expect(c.corruptedMetric).not.toBe(a.corruptedMetric);
    expect(a.corruptedMetric).not.toBe(a.cleanMetric);
    const S = clean.length;
    // Layer 0, the noised position: the clean embedding is back, so the clean run is back.
    expect(a.normalized[2]).toBeCloseTo(1, 6);
    for (let p = 0; p < S; p++) if (p !== 2) expect(a.metric[p]).toBe(a.corruptedMetric);
  });

  it('the corrupted run is the clean run with σ·N(0,1) added to hook_embed at the chosen positions', async () => {
    const d = model.spec.dModel;
    const corrupted = await corruptedInput(model, clean, { kind: 'noise', positions: [3, 1], seed: 4, sigma: 0.5 });
    expect(corrupted.noiseSigma).toBe(0.5);
    const plain = await run(model, { ids: clean }, { capture: [hook.embed] });
    const noisy = await run(model, { ids: clean }, { capture: [hook.embed], interventions: corrupted.interventions });
    const a = plain.cache[hook.embed].data;
    const b = noisy.cache[hook.embed].data;
    for (let p = 0; p < clean.length; p++) {
      const delta = Array.from({ length: d }, (_, i) => b[p * d + i] - a[p * d + i]);
      const rms = Math.sqrt(delta.reduce((s, x) => s + x * x, 0) / d);
      if (p === 1 || p === 3) {
        expect(rms).toBeGreaterThan(0.3); // 0.5 · χ-ish spread over 32 draws
        expect(rms).toBeLessThan(0.7);
      } else {
        expect(rms).toBe(0);
      }
    }
  });
});

describe('patching errors', () => {
  const model = randomModel('gpt_neox');
  it('names the field and what was expected', async () => {
    const base = { clean, hook: 'resid_pre', metric } as const;
    await expect(activationPatching(model, { ...base, corruption: { kind: 'tokens', ids: corrupt.slice(1) } })).rejects.toThrow(
      /corrupted prompt has 7 tokens but the clean prompt has 8.*equal token length/,
    );
    await expect(activationPatching(model, { ...base, hook: 'resid_mid', corruption: tokenCorruption })).rejects.toThrow(/resid_mid: parallel-residual/);
    await expect(activationPatching(model, { ...base, hook: 'pattern', byPosition: true, corruption: tokenCorruption })).rejects.toThrow(
      /pattern.*\[layer, head\]/,
    );
    await expect(activationPatching(model, { ...base, corruption: { kind: 'noise', positions: [8] } })).rejects.toThrow(/position 8 is outside the prompt \[0, 8\)/);
    await expect(activationPatching(model, { ...base, corruption: tokenCorruption, metric: { answer: 64 } })).rejects.toThrow(
      /metric.answer: token id 64 is outside the vocabulary \[0, 64\)/,
    );
    await expect(activationPatching(model, { ...base, corruption: tokenCorruption, position: 8 })).rejects.toThrow(/metric position 8/);
  });
});
