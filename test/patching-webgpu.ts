/**
 * Activation patching on the WebGPU backend: the reusing executor, which on GPUs batches all rows
 * of a layer (rows patched later recompute a few unchanged positions), against naive re-running
 * within 1e-5, on a seeded random model of one architecture at one hook. The default and slow
 * WebGPU patching tests register it for their cases.
 */
import { expect, it } from 'vitest';
import type { WebGpuBackend } from '../gpu/webgpu/index.ts';
import { activationPatching, defaultBatching } from '../analysis/methods/patching.ts';
import type { PatchHook } from '../analysis/methods/patch-cells.ts';
import { modelOnBackend } from '../analysis/model/model.ts';
import { randomWeights, smallSpec } from '../analysis/model/random.ts';
import type { ModelSpec } from '../analysis/model/spec.ts';

const clean = [3, 17, 42, 5, 9, 33, 2, 61];
const corrupt = [3, 17, 40, 5, 9, 12, 2, 61];

export function itPatchesLikeNaive(type: ModelSpec['modelType'], hooks: readonly PatchHook[], gpu: () => WebGpuBackend): void {
  it.each(hooks)('%s: reused and batched = naive (1e-5)', async (which) => {
    const spec = smallSpec(type);
    const model = modelOnBackend({ label: `random-${type}`, spec, weights: randomWeights(spec, 11), tokenizer: null }, gpu());
    expect(defaultBatching(model, clean.length).maxRecompute).toBe(Infinity);
    const options = { clean, corruption: { kind: 'tokens', ids: corrupt } as const, hook: which, metric: { answer: 7, wrong: 30 } };
    const reused = await activationPatching(model, options);
    const naive = await activationPatching(model, { ...options, mode: 'naive' });
    expect(reused.patchedCalls).toBe(spec.nLayers); // one call per layer
    reused.metric.forEach((m, i) => expect(Math.abs(m - naive.metric[i])).toBeLessThanOrEqual(1e-5));
    expect(Math.abs(reused.cleanMetric - naive.cleanMetric)).toBeLessThanOrEqual(1e-5);
  });
}
