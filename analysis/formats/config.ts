/**
 * Hugging Face config.json (+ generation_config.json) → `ModelSpec`.
 *
 * One zod schema per model_type, holding exactly the fields we read with the defaults that
 * `transformers` uses for them. Anything that would change the model's numbers and that the
 * forward pass does not implement (rope scaling, scaled attention variants, …) is rejected with
 * a message rather than ignored: a model that loads must compute what transformers computes.
 */
import { z } from 'zod';
import type { ModelSpec, ModelType } from '../model/spec.ts';
import { SUPPORTED_MODEL_TYPES } from '../model/spec.ts';
import { ModelFormatError } from './errors.ts';
import { activation, CONFIG_FILE, count, epsilon, headDim, parseWith, positive, ropeTheta } from './config-fields.ts';
import { gemma2Spec, gemma3Spec, gemma3TextSpec } from './config-gemma.ts';
import { llamaLikeSpec } from './config-llama-like.ts';
import { parseJsonText, readJsonFileIfPresent, readTextFile } from './json-file.ts';
import type { ModelSource } from './source.ts';

export { CONFIG_FILE, ROPE_THETA_RANGE } from './config-fields.ts';
export const GENERATION_CONFIG_FILE = 'generation_config.json';
const tokenId = z.number().int().nonnegative();
const tokenIds = z.union([tokenId, z.array(tokenId)]).nullish();

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

const tokenIdsSchema = z.object({ bos_token_id: tokenIds, eos_token_id: tokenIds });

/** What every model type shares in config.json. */
const commonSchema = z.object({
  model_type: z.string({ error: `missing "model_type" (supported: ${SUPPORTED_MODEL_TYPES.join(', ')})` }),
  rope_scaling: z.unknown().optional(),
});

function isModelType(t: string): t is ModelType {
  return (SUPPORTED_MODEL_TYPES as readonly string[]).includes(t);
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

/** The architecture part of the spec, by model_type (each family's parser in its own module). */
function archSpec(modelType: ModelType, json: Readonly<Record<string, unknown>>): Omit<ModelSpec, 'bosTokenId' | 'eosTokenIds'> {
  switch (modelType) {
    case 'gpt2':
      return gpt2Spec(json);
    case 'gpt_neox':
      return neoxSpec(json);
    case 'gemma2':
      return gemma2Spec(json);
    case 'gemma3_text':
      return gemma3TextSpec(json);
    case 'gemma3':
      return gemma3Spec(json);
    default:
      return llamaLikeSpec(modelType, json);
  }
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
  checkLayerCount(json as Readonly<Record<string, unknown>>);
  const arch = archSpec(modelType, json as Readonly<Record<string, unknown>>);
  const ids = tokenIdsFrom(json, generationConfig);
  checkTokenIdsInVocab(ids, arch.dVocab);
  return { ...arch, ...ids };
}

/** More layers than any model has; the largest published models have under 200. */
export const MAX_LAYERS = 4096;

/**
 * The layer count is checked before any family parser runs: those build per-layer settings
 * (attention kinds, RoPE, windows), so a count of 7e8 in a 1 KB file would otherwise cost
 * minutes and gigabytes before the weights could refuse it.
 */
function checkLayerCount(json: Readonly<Record<string, unknown>>): void {
  const textConfig = Object.hasOwn(json, 'text_config') ? json.text_config : undefined;
  const places: [string, unknown][] = [
    ['num_hidden_layers', json],
    ['n_layer', json],
    ['text_config.num_hidden_layers', textConfig],
  ];
  for (const [field, holder] of places) {
    if (typeof holder !== 'object' || holder === null) continue;
    const key = field.split('.').at(-1)!;
    const value = Object.hasOwn(holder, key) ? (holder as Record<string, unknown>)[key] : undefined;
    if (typeof value === 'number' && value > MAX_LAYERS) {
      throw new ModelFormatError(`${CONFIG_FILE}: "${field}": ${value} layers is more than the ${MAX_LAYERS} any model has`);
    }
  }
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
