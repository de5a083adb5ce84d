/**
 * Random models for tests and benchmarks: every weight N(0, σ²) from a seeded generator, norm
 * gains 1 + 0.1·N(0,1), the same structure the loader produces. Not for analysis of real models.
 */
import type { HostWeight } from '../../gpu/backend.ts';
import { numel } from '../../gpu/backend.ts';
import { seededRandom } from './sampling.ts';
import type { ModelSpec } from './spec.ts';
import type { BlockWeights, ModelWeights, NormWeights } from './weights.ts';

export function gaussian(seed: number): () => number {
  const uniform = seededRandom(seed);
  return () => {
    const u = Math.max(uniform(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}

export function randomWeights(spec: ModelSpec, seed = 0, sigma = 0.2): ModelWeights<HostWeight> {
  const normal = gaussian(seed);
  const tensor = (name: string, shape: number[], mean = 0, std = sigma): HostWeight => ({
    name,
    dtype: 'F32',
    shape,
    data: Float32Array.from({ length: numel(shape) }, () => mean + std * normal()),
  });
  const { dModel: d, dHead, nHeads, nKvHeads, dMlp, dVocab } = spec;
  const layerNorm = spec.normalization === 'layernorm';
  const biases = spec.modelType === 'gpt2' || spec.modelType === 'gpt_neox';
  const norm = (name: string): NormWeights<HostWeight> => ({
    w: tensor(`${name}.w`, [d], 1, 0.1),
    b: layerNorm ? tensor(`${name}.b`, [d], 0, 0.1) : undefined,
  });
  const bias = (name: string, n: number, on: boolean) => (on ? tensor(name, [n], 0, 0.1) : undefined);
  const qkvBias = biases || spec.modelType === 'qwen2';
  const blocks: BlockWeights<HostWeight>[] = Array.from({ length: spec.nLayers }, (_, l) => ({
    ln1: norm(`blocks.${l}.ln1`),
    ln2: norm(`blocks.${l}.ln2`),
    attn: {
      wQ: tensor(`blocks.${l}.wQ`, [nHeads * dHead, d]),
      bQ: bias(`blocks.${l}.bQ`, nHeads * dHead, qkvBias),
      wK: tensor(`blocks.${l}.wK`, [nKvHeads * dHead, d]),
      bK: bias(`blocks.${l}.bK`, nKvHeads * dHead, qkvBias),
      wV: tensor(`blocks.${l}.wV`, [nKvHeads * dHead, d]),
      bV: bias(`blocks.${l}.bV`, nKvHeads * dHead, qkvBias),
      wO: tensor(`blocks.${l}.wO`, [d, nHeads * dHead]),
      bO: bias(`blocks.${l}.bO`, d, biases),
    },
    mlp: {
      wIn: tensor(`blocks.${l}.wIn`, [dMlp, d]),
      bIn: bias(`blocks.${l}.bIn`, dMlp, biases),
      wGate: spec.gatedMlp ? tensor(`blocks.${l}.wGate`, [dMlp, d]) : undefined,
      wOut: tensor(`blocks.${l}.wOut`, [d, dMlp]),
      bOut: bias(`blocks.${l}.bOut`, d, biases),
    },
  }));
  const embed = tensor('embed', [dVocab, d]);
  return {
    embed,
    posEmbed: spec.positional === 'learned' ? tensor('posEmbed', [spec.nCtx, d]) : undefined,
    blocks,
    lnFinal: norm('lnFinal'),
    unembed: spec.tiedEmbeddings ? embed : tensor('unembed', [dVocab, d]),
  };
}

/** A small spec of the given architecture for tests (override any field). */
export function smallSpec(modelType: ModelSpec['modelType'], overrides: Partial<ModelSpec> = {}): ModelSpec {
  const rotary = modelType !== 'gpt2';
  const llamaLike = modelType === 'llama' || modelType === 'mistral' || modelType === 'qwen2';
  return {
    modelType,
    nLayers: 2,
    nHeads: 4,
    nKvHeads: llamaLike ? 2 : 4,
    dModel: 32,
    dHead: 8,
    dMlp: 48,
    dVocab: 64,
    nCtx: 64,
    normalization: llamaLike ? 'rmsnorm' : 'layernorm',
    normEps: 1e-5,
    positional: rotary ? 'rotary' : 'learned',
    rotaryDims: modelType === 'gpt_neox' ? 4 : rotary ? 8 : 0,
    ropeTheta: 10000,
    activation: modelType === 'gpt2' ? 'gelu_tanh' : modelType === 'gpt_neox' ? 'gelu_erf' : 'silu',
    gatedMlp: llamaLike,
    parallelResidual: modelType === 'gpt_neox',
    tiedEmbeddings: modelType === 'gpt2',
    bosTokenId: null,
    eosTokenIds: [],
    ...overrides,
  };
}
