/**
 * config.json → `ModelSpec` for Gemma-2 (`gemma2`), Gemma-3 text (`gemma3_text`) and multimodal
 * Gemma-3 (`gemma3`, text model nested in `text_config`; the vision tower is skipped and said so).
 * transformers semantics: embeddings × float32(√d), (1 + w) RMSNorms (folded into the weights by
 * the loader), sandwich norms, scale query_pre_attn_scalar^−½, gelu_pytorch_tanh, softcaps
 * (Gemma-2; Gemma-3's attention ignores attn_logit_softcapping), sliding layers from layer_types,
 * Gemma-3 q/k norm and rope_local_base_freq on sliding layers (rope scaling on full layers only).
 */
import { z } from 'zod';
import { activation, CONFIG_FILE, count, epsilon, parseWith, positive } from './config-fields.ts';
import type { ArchSpec } from './config-llama-like.ts';
import { kvHeadCount, layersOf, layerTypes, layerWindows } from './config-llama-like.ts';
import { ModelFormatError } from './errors.ts';
import { own, parseRope } from './rope-config.ts';

type Json = Readonly<Record<string, unknown>>;

const gemmaSchema = z.object({
  hidden_size: count,
  intermediate_size: count,
  num_hidden_layers: count,
  num_attention_heads: count,
  num_key_value_heads: count.nullish(),
  head_dim: count.default(256),
  max_position_embeddings: count,
  vocab_size: count,
  rms_norm_eps: epsilon.default(1e-6),
  hidden_activation: z.string().nullish(),
  hidden_act: z.string().nullish(),
  query_pre_attn_scalar: positive.default(256),
  sliding_window: count.nullish(),
  sliding_window_pattern: count.optional(),
  layer_types: z.array(z.string()).nullish(),
  attn_logit_softcapping: positive.nullish(),
  final_logit_softcapping: positive.nullish(),
  rope_local_base_freq: positive.optional(),
  tie_word_embeddings: z.boolean().default(true),
  attention_bias: z.boolean().optional(),
});

/** A key that is absent takes transformers' default; a key that is null means "none". */
function withDefault<T>(json: Json, key: string, parsed: T | null | undefined, fallback: T): T | null {
  return own(json, key) === undefined ? fallback : (parsed ?? null);
}

function gemmaSpec(modelType: 'gemma2' | 'gemma3_text' | 'gemma3', json: Json): ArchSpec {
  const c = parseWith(gemmaSchema, json, CONFIG_FILE);
  const gemma3 = modelType !== 'gemma2';
  if (c.attention_bias === true) throw new ModelFormatError(`${CONFIG_FILE}: attention_bias true is not supported for ${modelType}`);
  const nHeads = c.num_attention_heads;
  const dHead = c.head_dim;
  const window = withDefault(json, 'sliding_window', c.sliding_window, 4096);
  const pattern = c.sliding_window_pattern ?? 6;
  // Gemma-2: layer 0 sliding, then alternating; Gemma-3: sliding iff (l + 1) % pattern != 0.
  const types = layerTypes(c, (l) => ((gemma3 ? (l + 1) % pattern !== 0 : l % 2 === 0) ? 'sliding_attention' : 'full_attention'));
  const ctx = { rotaryDims: dHead, maxPositions: c.max_position_embeddings };
  const full = parseRope(json, gemma3 ? 1e6 : 10000, ctx, 'full_attention');
  const sliding = gemma3
    ? { theta: c.rope_local_base_freq ?? 10000, scaling: null, field: 'rope_local_base_freq' }
    : full;
  const localFromParams = gemma3 ? own(own(json, 'rope_parameters') as Json ?? {}, 'sliding_attention') : undefined;
  const local = localFromParams === undefined ? sliding : parseRope(json, 10000, ctx, 'sliding_attention');
  const windows = layerWindows(types, window);
  const act = c.hidden_activation ?? c.hidden_act ?? 'gelu_pytorch_tanh';
  const finalSoftcap = withDefault(json, 'final_logit_softcapping', c.final_logit_softcapping, gemma3 ? null : 30);
  const attnSoftcap = gemma3 ? null : withDefault(json, 'attn_logit_softcapping', c.attn_logit_softcapping, 50);
  return {
    modelType,
    nLayers: c.num_hidden_layers,
    nHeads,
    nKvHeads: kvHeadCount(nHeads, c.num_key_value_heads),
    dModel: c.hidden_size,
    dHead,
    dMlp: c.intermediate_size,
    dVocab: c.vocab_size,
    nCtx: c.max_position_embeddings,
    normalization: 'rmsnorm',
    normEps: c.rms_norm_eps,
    positional: 'rotary',
    rotaryDims: dHead,
    ropeTheta: full.theta,
    activation: activation(act, c.hidden_activation ? 'hidden_activation' : 'hidden_act'),
    gatedMlp: true,
    parallelResidual: false,
    tiedEmbeddings: c.tie_word_embeddings,
    embedScale: Math.fround(Math.sqrt(c.hidden_size)),
    attnScale: 1 / Math.sqrt(c.query_pre_attn_scalar),
    ...(attnSoftcap === null ? {} : { attnSoftcap }),
    ...(finalSoftcap === null ? {} : { finalSoftcap }),
    layers: layersOf(windows, (l) => (types[l] === 'sliding_attention' ? local : full)),
    blockNorms: 'sandwich',
    ...(gemma3 ? { qkNorm: 'head' as const } : {}),
  };
}

export function gemma2Spec(json: Json): ArchSpec {
  return gemmaSpec('gemma2', json);
}

export function gemma3TextSpec(json: Json): ArchSpec {
  return gemmaSpec('gemma3_text', json);
}

/** Multimodal Gemma-3: the text model from `text_config`; the vision tower is not loaded. */
export function gemma3Spec(json: Json): ArchSpec {
  const text = own(json, 'text_config');
  if (typeof text !== 'object' || text === null || Array.isArray(text)) {
    throw new ModelFormatError(`${CONFIG_FILE}: gemma3 needs text_config (the nested text model's config)`);
  }
  try {
    return { ...gemmaSpec('gemma3', text as Json), skipped: 'the vision tower (vision_tower.*, multi_modal_projector.*): only the text model is loaded' };
  } catch (e) {
    if (e instanceof ModelFormatError) throw new ModelFormatError(e.message.replace(`${CONFIG_FILE}: `, `${CONFIG_FILE}: text_config.`));
    throw e;
  }
}
