/** Small random models of every architecture for the methods' unit tests (CPU backend). */
import type { HostWeight } from '../gpu/backend.ts';
import type { CpuBackend } from '../gpu/cpu/backend.ts';
import { createCpuBackend } from '../gpu/cpu/backend.ts';
import type { Model } from '../analysis/model/model.ts';
import { modelOnBackend } from '../analysis/model/model.ts';
import { gaussian, randomWeights, smallSpec } from '../analysis/model/random.ts';
import type { ModelSpec } from '../analysis/model/spec.ts';

export const ARCHITECTURES: ModelSpec['modelType'][] = ['gpt2', 'gpt_neox', 'llama', 'qwen2'];

/** A random model; `unembedBias` adds a random b_U (no fixture has one, so tests plant it). */
export function randomModel(type: ModelSpec['modelType'], options: { seed?: number; unembedBias?: boolean } = {}): Model & { backend: CpuBackend } {
  const spec = smallSpec(type);
  const weights = randomWeights(spec, options.seed ?? 11);
  const normal = gaussian(99);
  const bUnembed: HostWeight | undefined = options.unembedBias
    ? { name: 'bUnembed', dtype: 'F32', shape: [spec.dVocab], data: Float32Array.from({ length: spec.dVocab }, () => 0.3 * normal()) }
    : undefined;
  const backend = createCpuBackend();
  const model = modelOnBackend({ label: `random-${type}`, spec, weights: { ...weights, bUnembed }, tokenizer: null }, backend);
  return { ...model, backend };
}

export const SAMPLE_IDS = [3, 17, 42, 5, 9, 33, 2, 61, 17, 42, 5];
