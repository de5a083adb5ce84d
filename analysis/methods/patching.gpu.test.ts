/**
 * Activation patching on the WebGPU backend (software adapter in CI): the reusing executor,
 * which on GPUs batches all rows of a layer (rows patched later recompute a few unchanged
 * positions), agrees with naive re-running within 1e-5 on every architecture.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebGpuBackend } from '../../gpu/webgpu/index.ts';
import { openGpu } from '../../gpu/webgpu/testing.ts';
import { modelOnBackend } from '../model/model.ts';
import { randomWeights, smallSpec } from '../model/random.ts';
import type { ModelSpec } from '../model/spec.ts';
import type { PatchHook } from './patch-cells.ts';
import { activationPatching, defaultBatching } from './patching.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await openGpu();
});
afterAll(() => gpu.destroy());

const TYPES: ModelSpec['modelType'][] = ['gpt2', 'gpt_neox', 'llama', 'qwen2'];
const clean = [3, 17, 42, 5, 9, 33, 2, 61];
const corrupt = [3, 17, 40, 5, 9, 12, 2, 61];

describe.each(TYPES)('WebGPU patching: %s', (type) => {
  it.each(['resid_pre', 'attn_out', 'z', 'k', 'pattern'] as PatchHook[])('%s: reused and batched = naive (1e-5)', async (which) => {
    const spec = smallSpec(type);
    const model = modelOnBackend({ label: `random-${type}`, spec, weights: randomWeights(spec, 11), tokenizer: null }, gpu);
    expect(defaultBatching(model, clean.length).maxRecompute).toBe(Infinity);
    const options = { clean, corruption: { kind: 'tokens', ids: corrupt } as const, hook: which, metric: { answer: 7, wrong: 30 } };
    const reused = await activationPatching(model, options);
    const naive = await activationPatching(model, { ...options, mode: 'naive' });
    expect(reused.patchedCalls).toBe(spec.nLayers); // one call per layer
    reused.metric.forEach((m, i) => expect(Math.abs(m - naive.metric[i])).toBeLessThanOrEqual(1e-5));
    expect(Math.abs(reused.cleanMetric - naive.cleanMetric)).toBeLessThanOrEqual(1e-5);
  });
});
