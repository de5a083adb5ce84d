/**
 * config.json → `ModelSpec` for the Llama-style families: llama (RoPE scaling linear / llama3),
 * mistral (sliding window), qwen2, qwen3 (q/k norm), phi3 (partial rotary, longrope) and olmo2
 * (post-norm, q/k norm over the projection). Defaults are transformers' for each config class.
 * Also the per-layer window helpers that Gemma's parser shares.
 */
import { z } from 'zod';
import type { LayerAttention, ModelSpec } from '../model/spec.ts';
import { activation, CONFIG_FILE, count, epsilon, headDim, parseWith } from './config-fields.ts';
import { ModelFormatError } from './errors.ts';
import type { RopeConfig } from './rope-config.ts';
import { own, parseRope, partialRotaryFactor } from './rope-config.ts';

export type ArchSpec = Omit<ModelSpec, 'bosTokenId' | 'eosTokenIds'>;
type Json = Readonly<Record<string, unknown>>;

export const llamaLikeSchema = z.object({
  hidden_size: count,
  intermediate_size: count,
  num_hidden_layers: count,
  num_attention_heads: count,
  num_key_value_heads: count.nullish(),
  head_dim: count.nullish(),
  max_position_embeddings: count,
  vocab_size: count,
  rms_norm_eps: epsilon.optional(),
  hidden_act: z.string().default('silu'),
  tie_word_embeddings: z.boolean().optional(),
  sliding_window: count.nullish(),
  use_sliding_window: z.boolean().optional(),
  max_window_layers: z.number().int().nonnegative().optional(),
  layer_types: z.array(z.string()).nullish(),
  attention_bias: z.boolean().optional(),
});
export type LlamaLikeConfig = z.output<typeof llamaLikeSchema>;

export type LayerType = 'sliding_attention' | 'full_attention';

/**
 * Every layer's type: `layer_types` when the config has it (authoritative), else `fallback`.
 * Fails naming `layer_types` when its length or an entry is wrong.
 */
export function layerTypes(c: { layer_types?: readonly string[] | null; num_hidden_layers: number }, fallback: (l: number) => LayerType): LayerType[] {
  const n = c.num_hidden_layers;
  if (c.layer_types === undefined || c.layer_types === null) return Array.from({ length: n }, (_, l) => fallback(l));
  if (c.layer_types.length !== n) {
    throw new ModelFormatError(`${CONFIG_FILE}: layer_types has ${c.layer_types.length} entries, expected num_hidden_layers = ${n}`);
  }
  return c.layer_types.map((t, l) => {
    if (t !== 'sliding_attention' && t !== 'full_attention') {
      throw new ModelFormatError(`${CONFIG_FILE}: layer_types[${l}] is "${t}"; expected "sliding_attention" or "full_attention"`);
    }
    return t;
  });
}

/** The window of every layer; a sliding layer needs a non-null sliding_window. */
export function layerWindows(types: readonly LayerType[], slidingWindow: number | null | undefined): (number | null)[] {
  return types.map((t, l) => {
    if (t === 'full_attention') return null;
    if (slidingWindow === undefined || slidingWindow === null) {
      throw new ModelFormatError(`${CONFIG_FILE}: layer_types[${l}] is "sliding_attention" but sliding_window is null`);
    }
    return slidingWindow;
  });
}

/** Per-layer settings, or undefined when every layer is plain (no window, unscaled RoPE). */
export function layersOf(windows: readonly (number | null)[], rope: (l: number) => RopeConfig): LayerAttention[] | undefined {
  const layers = windows.map((window, l) => ({ window, ropeTheta: rope(l).theta, ropeScaling: rope(l).scaling }));
  return layers.every((l) => l.window === null && l.ropeScaling === null && l.ropeTheta === layers[0].ropeTheta) ? undefined : layers;
}

export function kvHeadCount(nHeads: number, kv: number | null | undefined): number {
  const nKvHeads = kv ?? nHeads;
  if (nHeads % nKvHeads !== 0) {
    throw new ModelFormatError(`${CONFIG_FILE}: num_attention_heads ${nHeads} is not a multiple of num_key_value_heads ${nKvHeads}`);
  }
  return nKvHeads;
}

export function checkNoAttentionBias(c: { attention_bias?: boolean }, modelType: string): void {
  if (c.attention_bias === true) {
    throw new ModelFormatError(`${CONFIG_FILE}: attention_bias true is not supported for ${modelType} (transformers' ${modelType} checkpoints have no q/k/v/o biases)`);
  }
}

export function evenRotaryDims(dHead: number, factor: number): number {
  // transformers: int(head_dim * partial_rotary_factor).
  const rotaryDims = Math.floor(dHead * factor);
  if (rotaryDims < 2 || rotaryDims % 2 !== 0) {
    throw new ModelFormatError(`${CONFIG_FILE}: partial_rotary_factor ${factor} gives ${rotaryDims} rotary dims of head_dim ${dHead}; RoPE needs an even number ≥ 2`);
  }
  return rotaryDims;
}

type LlamaLikeType = 'llama' | 'mistral' | 'qwen2' | 'qwen3' | 'phi3' | 'olmo2';

/** transformers' defaults that differ between the config classes. */
const DEFAULTS: Readonly<Record<LlamaLikeType, { eps: number; tied: boolean; theta: number }>> = {
  llama: { eps: 1e-6, tied: false, theta: 10000 },
  mistral: { eps: 1e-6, tied: false, theta: 10000 },
  qwen2: { eps: 1e-6, tied: false, theta: 10000 },
  qwen3: { eps: 1e-6, tied: false, theta: 10000 },
  phi3: { eps: 1e-5, tied: false, theta: 10000 },
  olmo2: { eps: 1e-5, tied: false, theta: 10000 },
};

/** Which layers slide: Mistral every layer (window non-null), Qwen2/3 from max_window_layers on. */
function defaultLayerType(modelType: LlamaLikeType, c: LlamaLikeConfig, json: Json): (l: number) => LayerType {
  switch (modelType) {
    case 'mistral': {
      // MistralConfig defaults sliding_window to 4096 when the key is absent (null disables it).
      const window = own(json, 'sliding_window') === undefined ? 4096 : c.sliding_window;
      return () => (window === null || window === undefined ? 'full_attention' : 'sliding_attention');
    }
    case 'phi3':
      return () => (c.sliding_window === null || c.sliding_window === undefined ? 'full_attention' : 'sliding_attention');
    case 'qwen2':
    case 'qwen3':
      return (l) => (c.use_sliding_window === true && l >= (c.max_window_layers ?? 28) ? 'sliding_attention' : 'full_attention');
    default:
      return () => 'full_attention';
  }
}

export function llamaLikeSpec(modelType: LlamaLikeType, json: Json): ArchSpec {
  const c = parseWith(llamaLikeSchema, json, CONFIG_FILE);
  const d = DEFAULTS[modelType];
  const nHeads = c.num_attention_heads;
  const nKvHeads = kvHeadCount(nHeads, c.num_key_value_heads);
  // Phi-3 and OLMo-2 have no head_dim: hidden / heads (the fixture README's rule).
  const explicitHeadDim = modelType === 'phi3' || modelType === 'olmo2' ? null : c.head_dim;
  if ((modelType === 'phi3' || modelType === 'olmo2') && c.head_dim !== undefined && c.head_dim !== null && c.head_dim * nHeads !== c.hidden_size) {
    throw new ModelFormatError(`${CONFIG_FILE}: head_dim ${c.head_dim} × num_attention_heads ${nHeads} ≠ hidden_size ${c.hidden_size} (${modelType} uses hidden_size / heads)`);
  }
  const dHead = explicitHeadDim ?? headDim(c.hidden_size, nHeads, modelType);
  if (modelType === 'qwen3' || modelType === 'olmo2' || modelType === 'phi3') checkNoAttentionBias(c, modelType);
  const rotaryDims = modelType === 'phi3' ? evenRotaryDims(dHead, partialRotaryFactor(json)) : dHead;
  const original = own(json, 'original_max_position_embeddings');
  const rope = parseRope(json, d.theta, {
    rotaryDims,
    maxPositions: c.max_position_embeddings,
    originalMaxPositions: typeof original === 'number' ? original : undefined,
  });
  if (rope.scaling?.type === 'longrope' && modelType !== 'phi3') {
    throw new ModelFormatError(`${CONFIG_FILE}: ${rope.field} longrope is supported for phi3 only`);
  }
  const windows = layerWindows(layerTypes(c, defaultLayerType(modelType, c, json)), modelType === 'mistral' && own(json, 'sliding_window') === undefined ? 4096 : c.sliding_window);
  return {
    modelType,
    nLayers: c.num_hidden_layers,
    nHeads,
    nKvHeads,
    dModel: c.hidden_size,
    dHead,
    dMlp: c.intermediate_size,
    dVocab: c.vocab_size,
    nCtx: c.max_position_embeddings,
    normalization: 'rmsnorm',
    normEps: c.rms_norm_eps ?? d.eps,
    positional: 'rotary',
    rotaryDims,
    ropeTheta: rope.theta,
    activation: activation(c.hidden_act, 'hidden_act'),
    gatedMlp: true,
    parallelResidual: false,
    tiedEmbeddings: c.tie_word_embeddings ?? d.tied,
    layers: layersOf(windows, () => rope),
    ...(modelType === 'qwen3' ? { qkNorm: 'head' as const } : {}),
    ...(modelType === 'olmo2' ? { qkNorm: 'projection' as const, blockNorms: 'post' as const } : {}),
  };
}
