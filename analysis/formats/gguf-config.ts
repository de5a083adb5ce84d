/**
 * GGUF metadata (`general.architecture` and the `{arch}.*` keys) → a `ModelSpec`.
 *
 * The keys are translated into the Hugging Face config.json fields they came from (the inverse
 * of llama.cpp's convert_hf_to_gguf.py) and parsed by the same code as config.json, so every
 * family gets the same validation and the same defaults. What GGUF leaves out is filled in the
 * way llama.cpp's loader does (llama-model.cpp), e.g. Gemma's attention scale and Gemma-3's
 * local RoPE base; what we cannot reproduce yet (RoPE frequency tensors, YaRN) is refused.
 */
import { parseConfig } from './config.ts';
import { ModelFormatError } from './errors.ts';
import { formatValue, type GgufFile, type GgufValue } from './gguf.ts';
import type { ModelSpec } from '../model/spec.ts';

/** GGUF architecture → the config.json model_type it is loaded as. */
const ARCHITECTURES: ReadonlyMap<string, string> = new Map([
  ['llama', 'llama'],
  ['qwen2', 'qwen2'],
  ['qwen3', 'qwen3'],
  ['gemma2', 'gemma2'],
  ['gemma3', 'gemma3_text'],
  ['phi3', 'phi3'],
  ['gpt2', 'gpt2'],
]);

export function supportedGgufArchitectures(): string {
  return [...ARCHITECTURES.keys()].join(', ');
}

type Json = Record<string, unknown>;

/** Reads typed metadata, naming the key in every error. */
class Meta {
  constructor(
    private readonly file: GgufFile,
    readonly arch: string,
  ) {}

  private raw(key: string): GgufValue | undefined {
    return this.file.value(key);
  }

  number(key: string): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ModelFormatError(`${this.file.where}: metadata "${key}" must be a number, got ${formatValue(v)}`);
    }
    return v;
  }

  required(key: string): number {
    const v = this.number(key);
    if (v === undefined) throw new ModelFormatError(`${this.file.where}: metadata "${key}" is missing (needed for ${this.arch})`);
    return v;
  }

  string(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new ModelFormatError(`${this.file.where}: metadata "${key}" must be a string, got ${formatValue(v)}`);
    return v;
  }

  /** `{arch}.key`. */
  a(key: string): number | undefined {
    return this.number(`${this.arch}.${key}`);
  }

  ar(key: string): number {
    return this.required(`${this.arch}.${key}`);
  }

  /** Number of entries of an array value (the vocabulary), or undefined. */
  length(key: string): number | undefined {
    const v = this.raw(key);
    return typeof v === 'object' ? v.values.length : undefined;
  }
}

/** Drops undefined fields so config defaults apply to what the GGUF leaves out. */
function defined(json: Json): Json {
  return Object.fromEntries(Object.entries(json).filter(([, v]) => v !== undefined));
}

/** The config.json llama.cpp's converter read, as far as the GGUF metadata records it. */
export function ggufConfig(file: GgufFile): Json {
  const arch = file.value('general.architecture');
  if (typeof arch !== 'string') {
    throw new ModelFormatError(`${file.where}: metadata "general.architecture" is missing or not a string, got ${formatValue(arch)}`);
  }
  const modelType = ARCHITECTURES.get(arch);
  if (modelType === undefined) {
    throw new ModelFormatError(`${file.where}: GGUF architecture "${arch}" is not supported (supported: ${supportedGgufArchitectures()})`);
  }
  const m = new Meta(file, arch);
  const vocab = m.length('tokenizer.ggml.tokens') ?? m.a('vocab_size');
  if (vocab === undefined) throw new ModelFormatError(`${file.where}: neither tokenizer.ggml.tokens nor ${arch}.vocab_size gives the vocabulary size`);
  const ids = defined({
    bos_token_id: m.number('tokenizer.ggml.bos_token_id'),
    eos_token_id: m.number('tokenizer.ggml.eos_token_id'),
  });
  if (arch === 'gpt2') {
    return defined({
      model_type: 'gpt2',
      n_layer: m.ar('block_count'),
      n_embd: m.ar('embedding_length'),
      n_head: m.ar('attention.head_count'),
      n_positions: m.ar('context_length'),
      n_inner: m.a('feed_forward_length'),
      layer_norm_epsilon: m.a('attention.layer_norm_epsilon'),
      vocab_size: vocab,
      activation_function: 'gelu_new',
      tie_word_embeddings: !file.has('output.weight'),
      ...ids,
    });
  }
  refuseUnsupportedRope(file, m);
  const nHeads = m.ar('attention.head_count');
  const dModel = m.ar('embedding_length');
  const headDim = m.a('attention.key_length');
  const nLayers = m.ar('block_count');
  const config: Json = {
    model_type: modelType,
    num_hidden_layers: nLayers,
    hidden_size: dModel,
    intermediate_size: m.ar('feed_forward_length'),
    num_attention_heads: nHeads,
    num_key_value_heads: m.a('attention.head_count_kv'),
    head_dim: headDim,
    max_position_embeddings: m.ar('context_length'),
    rms_norm_eps: m.a('attention.layer_norm_rms_epsilon'),
    rope_theta: m.a('rope.freq_base'),
    vocab_size: vocab,
    hidden_act: 'silu',
    tie_word_embeddings: !file.has('output.weight'),
    ...ids,
  };
  const scaling = m.string(`${arch}.rope.scaling.type`);
  if (scaling === 'linear') config.rope_scaling = { rope_type: 'linear', factor: m.ar('rope.scaling.factor') };
  if (arch === 'gemma2' || arch === 'gemma3') {
    const dHead = headDim ?? dModel / nHeads;
    // llama.cpp: 1/√(n_embd/n_head) for the 27B models (46 / 62 layers), else 1/√head_dim.
    const big = (arch === 'gemma2' && nLayers === 46) || (arch === 'gemma3' && nLayers === 62);
    Object.assign(config, {
      hidden_activation: 'gelu_pytorch_tanh',
      hidden_act: undefined,
      head_dim: dHead,
      query_pre_attn_scalar: big ? dModel / nHeads : dHead,
      sliding_window: m.a('attention.sliding_window') ?? null,
      ...(arch === 'gemma2'
        ? { attn_logit_softcapping: m.a('attn_logit_softcapping') ?? null, final_logit_softcapping: m.a('final_logit_softcapping') ?? null }
        : {
            rope_local_base_freq: 10000,
            final_logit_softcapping: m.a('final_logit_softcapping') ?? null,
            // llama.cpp's default when the file does not say: every 6th layer global.
            sliding_window_pattern: m.a('attention.sliding_window_pattern') ?? 6,
          }),
    });
  }
  if (arch === 'phi3') {
    const window = m.a('attention.sliding_window');
    Object.assign(config, { sliding_window: window ?? null, head_dim: undefined });
    const rotary = m.a('rope.dimension_count');
    const dHead = dModel / nHeads;
    if (rotary !== undefined && rotary !== dHead) config.partial_rotary_factor = rotary / dHead;
  } else if (arch !== 'gemma2' && arch !== 'gemma3') {
    const rotary = m.a('rope.dimension_count');
    const dHead = headDim ?? dModel / nHeads;
    if (rotary !== undefined && rotary !== dHead) {
      throw new ModelFormatError(`${file.where}: ${arch}.rope.dimension_count ${rotary} differs from the head size ${dHead}; partial rotary is not supported for ${arch}`);
    }
  }
  return defined(config);
}

/** RoPE variants stored as tensors or with parameters we do not implement. */
function refuseUnsupportedRope(file: GgufFile, m: Meta): void {
  for (const tensor of ['rope_freqs.weight', 'rope_factors_long.weight', 'rope_factors_short.weight']) {
    if (file.has(tensor)) {
      throw new ModelFormatError(
        `${file.where}: tensor "${tensor}" (RoPE frequency factors: Llama-3.1 / Phi-3 long-context scaling) is not supported yet`,
      );
    }
  }
  const scaling = m.string(`${m.arch}.rope.scaling.type`);
  if (scaling !== undefined && scaling !== 'none' && scaling !== 'linear') {
    throw new ModelFormatError(`${file.where}: ${m.arch}.rope.scaling.type "${scaling}" is not supported (supported: none, linear)`);
  }
}

/** The model spec of a GGUF file, validated like a config.json. */
export function ggufSpec(file: GgufFile): ModelSpec {
  const config = ggufConfig(file);
  try {
    return parseConfig(config);
  } catch (e) {
    if (e instanceof ModelFormatError) {
      throw new ModelFormatError(`${file.where}: GGUF metadata, read as ${e.message}`);
    }
    throw e;
  }
}
