/**
 * Hugging Face config.json (+ generation_config.json) → `ModelSpec`.
 *
 * One zod schema per model_type, holding exactly the fields we read with the defaults that
 * `transformers` uses for them. Anything that would change the model's numbers and that the
 * forward pass does not implement (rope scaling, scaled attention variants, …) is rejected with
 * a message rather than ignored: a model that loads must compute what transformers computes.
 */
import { z } from 'zod';
import type { Activation, ModelSpec, ModelType } from '../model/spec.ts';
import { SUPPORTED_MODEL_TYPES } from '../model/spec.ts';
import { ModelFormatError } from './errors.ts';
import { parseJsonText, readJsonFileIfPresent, readTextFile } from './json-file.ts';
import type { ModelSource } from './source.ts';

export const CONFIG_FILE = 'config.json';
export const GENERATION_CONFIG_FILE = 'generation_config.json';

/** Sizes and counts: positive integers that fit the 32-bit indexing of every backend. */
const count = z.number().int().positive().max(2 ** 31 - 1);
const positive = z.number().positive();
/**
 * RoPE base: frequencies are theta^(-2i/d), so a theta at or below 1 gives no decay (or, near 0,
 * overflows to Infinity and NaN logits). Published models use 1e4 … 1e8; 1e12 leaves room.
 */
export const ROPE_THETA_RANGE = { min: 1, max: 1e12 } as const;
const ropeTheta = z
  .number()
  .gt(ROPE_THETA_RANGE.min, { error: `must be above ${ROPE_THETA_RANGE.min} and at most ${ROPE_THETA_RANGE.max}` })
  .max(ROPE_THETA_RANGE.max, { error: `must be above ${ROPE_THETA_RANGE.min} and at most ${ROPE_THETA_RANGE.max}` });
/** Normalisation epsilon: positive and small; 1 or more would swamp the variance it guards. */
const epsilon = z.number().positive().lt(1);
const tokenId = z.number().int().nonnegative();
const tokenIds = z.union([tokenId, z.array(tokenId)]).nullish();

/**
 * transformers' ACT2FN names → the activations the backends implement. A Map, not an object
 * literal: the name comes from the file, and "constructor" or "__proto__" must not find
 * Object.prototype's members.
 */
const ACTIVATIONS: ReadonlyMap<string, Activation> = new Map<string, Activation>([
  ['gelu_new', 'gelu_tanh'],
  ['gelu_pytorch_tanh', 'gelu_tanh'],
  // gelu_fast is 0.5x(1 + tanh(0.7978845608·x·(1 + 0.044715x²))): the same function as gelu_new.
  ['gelu_fast', 'gelu_tanh'],
  ['gelu', 'gelu_erf'],
  ['gelu_python', 'gelu_erf'],
  ['relu', 'relu'],
  ['silu', 'silu'],
  ['swish', 'silu'],
]);

const gpt2Schema = z.object({
  n_embd: count,
  n_head: count,
  n_layer: count,
  n_positions: count,
  vocab_size: count,
  n_inner: count.nullish(),
  layer_norm_epsilon: epsilon.default(1e-5),
  activation_function: z.string().default('gelu_new'),
  tie_word_embeddings: z.boolean().default(true),
  // These change the attention scores; we implement only the standard 1/sqrt(d_head) scaling.
  scale_attn_weights: z.boolean().default(true),
  scale_attn_by_inverse_layer_idx: z.boolean().default(false),
});

/** transformers ≥ 5 moves rope settings into `rope_parameters`; read it when present. */
const ropeParameters = z
  .object({
    rope_type: z.string().optional(),
    type: z.string().optional(),
    rope_theta: ropeTheta.optional(),
    partial_rotary_factor: positive.max(1).optional(),
  })
  .nullish();

const neoxSchema = z.object({
  hidden_size: count,
  num_attention_heads: count,
  num_hidden_layers: count,
  intermediate_size: count,
  max_position_embeddings: count,
  vocab_size: count,
  rotary_pct: positive.max(1).optional(),
  partial_rotary_factor: positive.max(1).optional(),
  rotary_emb_base: ropeTheta.optional(),
  rope_theta: ropeTheta.optional(),
  rope_parameters: ropeParameters,
  use_parallel_residual: z.boolean().default(true),
  hidden_act: z.string().default('gelu'),
  layer_norm_eps: epsilon.default(1e-5),
  tie_word_embeddings: z.boolean().default(false),
});

const llamaSchema = z.object({
  hidden_size: count,
  intermediate_size: count,
  num_hidden_layers: count,
  num_attention_heads: count,
  num_key_value_heads: count.nullish(),
  head_dim: count.nullish(),
  max_position_embeddings: count,
  vocab_size: count,
  rms_norm_eps: epsilon.default(1e-6),
  rope_theta: ropeTheta.optional(),
  rope_parameters: ropeParameters,
  hidden_act: z.string().default('silu'),
  tie_word_embeddings: z.boolean().default(false),
  // Mistral / Qwen2 sliding-window attention (see `slidingWindowLimit`).
  sliding_window: count.nullish(),
  use_sliding_window: z.boolean().optional(),
  max_window_layers: z.number().int().nonnegative().optional(),
});

const tokenIdsSchema = z.object({ bos_token_id: tokenIds, eos_token_id: tokenIds });

/** What every model type shares in config.json. */
const commonSchema = z.object({
  model_type: z.string({ error: `missing "model_type" (supported: ${SUPPORTED_MODEL_TYPES.join(', ')})` }),
  rope_scaling: z.unknown().optional(),
});

function isModelType(t: string): t is ModelType {
  return (SUPPORTED_MODEL_TYPES as readonly string[]).includes(t);
}

/** Runs a schema; failures become one message listing each bad field. */
function parseWith<S extends z.ZodType>(schema: S, json: unknown, file: string): z.output<S> {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) =>
    issue.path.length === 0 ? issue.message : `"${issue.path.join('.')}": ${issue.message}`,
  );
  throw new ModelFormatError(`${file}: ${problems.join('; ')}`);
}

function activation(name: string, field: string): Activation {
  const act = ACTIVATIONS.get(name);
  if (act === undefined) {
    throw new ModelFormatError(
      `${CONFIG_FILE}: ${field} "${name}" is not supported (supported: ${[...ACTIVATIONS.keys()].join(', ')})`,
    );
  }
  return act;
}

function headDim(hidden: number, heads: number, modelType: string): number {
  if (hidden % heads !== 0) {
    throw new ModelFormatError(
      `${CONFIG_FILE}: ${modelType} hidden size ${hidden} is not divisible by the ${heads} attention heads`,
    );
  }
  return hidden / heads;
}

/** Only "no scaling" is implemented: any real rope scaling would silently give wrong numbers. */
function checkNoRopeScaling(ropeScaling: unknown, ropeType: string | undefined): void {
  const scalingType =
    typeof ropeScaling === 'object' && ropeScaling !== null
      ? ((ropeScaling as { rope_type?: unknown; type?: unknown }).rope_type ??
        (ropeScaling as { type?: unknown }).type)
      : undefined;
  const unscaled = ropeScaling === undefined || ropeScaling === null || scalingType === 'default';
  if (!unscaled) {
    throw new ModelFormatError(
      `${CONFIG_FILE}: rope_scaling ${JSON.stringify(ropeScaling)} is not supported (only null, i.e. unscaled RoPE)`,
    );
  }
  if (ropeType !== undefined && ropeType !== 'default') {
    throw new ModelFormatError(
      `${CONFIG_FILE}: rope_parameters.rope_type "${ropeType}" is not supported (only "default", i.e. unscaled RoPE)`,
    );
  }
}

/** bos/eos: generation_config.json wins (it is what generation uses), then config.json. */
function tokenIdsFrom(config: unknown, generationConfig: unknown): Pick<ModelSpec, 'bosTokenId' | 'eosTokenIds'> {
  const fromConfig = parseWith(tokenIdsSchema, config, CONFIG_FILE);
  const fromGeneration =
    generationConfig === undefined ? {} : parseWith(tokenIdsSchema, generationConfig, GENERATION_CONFIG_FILE);
  const bos = fromGeneration.bos_token_id ?? fromConfig.bos_token_id ?? null;
  const eos = fromGeneration.eos_token_id ?? fromConfig.eos_token_id ?? null;
  const bosTokenId = Array.isArray(bos) ? (bos[0] ?? null) : bos;
  const eosTokenIds = eos === null ? [] : Array.isArray(eos) ? [...eos] : [eos];
  return { bosTokenId, eosTokenIds };
}

function gpt2Spec(json: unknown): Omit<ModelSpec, 'bosTokenId' | 'eosTokenIds'> {
  const c = parseWith(gpt2Schema, json, CONFIG_FILE);
  if (!c.scale_attn_weights || c.scale_attn_by_inverse_layer_idx) {
    throw new ModelFormatError(
      `${CONFIG_FILE}: gpt2 scale_attn_weights=${c.scale_attn_weights}, scale_attn_by_inverse_layer_idx=` +
        `${c.scale_attn_by_inverse_layer_idx} is not supported (only the standard 1/sqrt(d_head) attention scaling)`,
    );
  }
  return {
    modelType: 'gpt2',
    nLayers: c.n_layer,
    nHeads: c.n_head,
    nKvHeads: c.n_head,
    dModel: c.n_embd,
    dHead: headDim(c.n_embd, c.n_head, 'gpt2'),
    dMlp: c.n_inner ?? 4 * c.n_embd,
    dVocab: c.vocab_size,
    nCtx: c.n_positions,
    normalization: 'layernorm',
    normEps: c.layer_norm_epsilon,
    positional: 'learned',
    rotaryDims: 0,
    ropeTheta: 0, // unused with learned positions
    activation: activation(c.activation_function, 'activation_function'),
    gatedMlp: false,
    parallelResidual: false,
    tiedEmbeddings: c.tie_word_embeddings,
  };
}

function neoxSpec(json: unknown): Omit<ModelSpec, 'bosTokenId' | 'eosTokenIds'> {
  const c = parseWith(neoxSchema, json, CONFIG_FILE);
  const rp = c.rope_parameters ?? undefined;
  checkNoRopeScaling((json as { rope_scaling?: unknown }).rope_scaling, rp?.rope_type ?? rp?.type);
  const dHead = headDim(c.hidden_size, c.num_attention_heads, 'gpt_neox');
  const rotaryPct = rp?.partial_rotary_factor ?? c.partial_rotary_factor ?? c.rotary_pct ?? 0.25;
  // transformers: rotary_ndims = int(head_size * rotary_pct).
  const rotaryDims = Math.floor(dHead * rotaryPct);
  if (rotaryDims % 2 !== 0) {
    throw new ModelFormatError(
      `${CONFIG_FILE}: rotary_pct ${rotaryPct} gives ${rotaryDims} rotary dims of ${dHead}; rotate_half needs an even number`,
    );
  }
  return {
    modelType: 'gpt_neox',
    nLayers: c.num_hidden_layers,
    nHeads: c.num_attention_heads,
    nKvHeads: c.num_attention_heads,
    dModel: c.hidden_size,
    dHead,
    dMlp: c.intermediate_size,
    dVocab: c.vocab_size,
    nCtx: c.max_position_embeddings,
    normalization: 'layernorm',
    normEps: c.layer_norm_eps,
    positional: 'rotary',
    rotaryDims,
    ropeTheta: rp?.rope_theta ?? c.rope_theta ?? c.rotary_emb_base ?? 10000,
    activation: activation(c.hidden_act, 'hidden_act'),
    gatedMlp: false,
    parallelResidual: c.use_parallel_residual,
    tiedEmbeddings: c.tie_word_embeddings,
  };
}

/**
 * Sliding-window attention (Mistral, Qwen2) only differs from full causal attention once a
 * sequence is longer than the window: a query at position q sees keys q−window+1 … q. So rather
 * than refuse such models we cap the context at the window, where the numbers are exact.
 * Returns the cap, or null when no layer uses a window.
 */
function slidingWindowLimit(
  modelType: 'llama' | 'mistral' | 'qwen2',
  c: z.output<typeof llamaSchema>,
  json: unknown,
): number | null {
  if (modelType === 'llama') return null;
  if (modelType === 'mistral') {
    // MistralConfig defaults sliding_window to 4096 when the key is absent (null disables it).
    const hasKey = typeof json === 'object' && json !== null && 'sliding_window' in json;
    return hasKey ? (c.sliding_window ?? null) : 4096;
  }
  // Qwen2 uses the window only with use_sliding_window, and only from layer max_window_layers
  // (default 28) on.
  const anyLayerWindowed = c.use_sliding_window === true && (c.max_window_layers ?? 28) < c.num_hidden_layers;
  return anyLayerWindowed ? (c.sliding_window ?? 4096) : null;
}

function llamaFamilySpec(modelType: 'llama' | 'mistral' | 'qwen2', json: unknown): Omit<ModelSpec, 'bosTokenId' | 'eosTokenIds'> {
  const c = parseWith(llamaSchema, json, CONFIG_FILE);
  const rp = c.rope_parameters ?? undefined;
  checkNoRopeScaling((json as { rope_scaling?: unknown }).rope_scaling, rp?.rope_type ?? rp?.type);
  const nHeads = c.num_attention_heads;
  const nKvHeads = c.num_key_value_heads ?? nHeads;
  if (nHeads % nKvHeads !== 0) {
    throw new ModelFormatError(
      `${CONFIG_FILE}: num_attention_heads ${nHeads} is not a multiple of num_key_value_heads ${nKvHeads}`,
    );
  }
  const dHead = c.head_dim ?? headDim(c.hidden_size, nHeads, modelType);
  const window = slidingWindowLimit(modelType, c, json);
  return {
    modelType,
    nLayers: c.num_hidden_layers,
    nHeads,
    nKvHeads,
    dModel: c.hidden_size,
    dHead,
    dMlp: c.intermediate_size,
    dVocab: c.vocab_size,
    nCtx: window === null ? c.max_position_embeddings : Math.min(window, c.max_position_embeddings),
    normalization: 'rmsnorm',
    normEps: c.rms_norm_eps,
    positional: 'rotary',
    rotaryDims: dHead,
    ropeTheta: rp?.rope_theta ?? c.rope_theta ?? 10000,
    activation: activation(c.hidden_act, 'hidden_act'),
    gatedMlp: true,
    parallelResidual: false,
    tiedEmbeddings: c.tie_word_embeddings,
  };
}

/**
 * Maps a parsed config.json (and optionally generation_config.json) to a `ModelSpec`.
 * Qwen2's q/k/v biases and Llama's optional biases are not in the spec: the loader detects them
 * from the weights.
 */
export function parseConfig(json: unknown, generationConfig?: unknown): ModelSpec {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelFormatError(`${CONFIG_FILE}: expected a JSON object`);
  }
  const { model_type: modelType } = parseWith(commonSchema, json, CONFIG_FILE);
  if (!isModelType(modelType)) {
    throw new ModelFormatError(
      `${CONFIG_FILE}: model_type "${modelType}" is not supported (supported: ${SUPPORTED_MODEL_TYPES.join(', ')})`,
    );
  }
  const arch =
    modelType === 'gpt2' ? gpt2Spec(json) : modelType === 'gpt_neox' ? neoxSpec(json) : llamaFamilySpec(modelType, json);
  const ids = tokenIdsFrom(json, generationConfig);
  checkTokenIdsInVocab(ids, arch.dVocab);
  return { ...arch, ...ids };
}

/** A bos/eos id at or past vocab_size would index past the embedding and the logits. */
function checkTokenIdsInVocab(ids: Pick<ModelSpec, 'bosTokenId' | 'eosTokenIds'>, dVocab: number): void {
  const named: [string, number | null][] = [['bos_token_id', ids.bosTokenId], ...ids.eosTokenIds.map((id): [string, number] => ['eos_token_id', id])];
  for (const [field, id] of named) {
    if (id !== null && id >= dVocab) {
      throw new ModelFormatError(`${CONFIG_FILE}: ${field} ${id} is outside the vocabulary (vocab_size ${dVocab}, so ids 0 … ${dVocab - 1})`);
    }
  }
}

/** A folder's config: the spec and the raw config.json text (shown to users as is). */
export interface ModelConfig {
  readonly spec: ModelSpec;
  readonly configText: string;
}

/** Reads config.json (required) and generation_config.json (optional) from a model folder. */
export async function readModelConfig(source: ModelSource): Promise<ModelConfig> {
  const configText = await readTextFile(source, CONFIG_FILE);
  const config = parseJsonText(configText, CONFIG_FILE, source.label);
  const generationConfig = await readJsonFileIfPresent(source, GENERATION_CONFIG_FILE);
  try {
    return { spec: parseConfig(config, generationConfig), configText };
  } catch (e) {
    // parseConfig names the file; add the folder so a message stands on its own.
    if (e instanceof ModelFormatError) throw new ModelFormatError(`${source.label}: ${e.message}`);
    throw e;
  }
}
