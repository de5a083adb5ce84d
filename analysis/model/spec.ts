/**
 * A typed, architecture-neutral description of a transformer. Produced from a Hugging Face
 * config.json by `analysis/formats/config.ts`; consumed by the forward pass.
 */

export const SUPPORTED_MODEL_TYPES = [
  'gpt2', 'gpt_neox', 'llama', 'mistral', 'qwen2',
  'gemma2', 'gemma3_text', 'gemma3', 'qwen3', 'phi3', 'olmo2',
] as const;
export type ModelType = (typeof SUPPORTED_MODEL_TYPES)[number];

export type Activation = 'gelu_tanh' | 'gelu_erf' | 'silu' | 'relu';

/** RoPE frequency scaling (transformers `rope_type`), applied to the default inverse frequencies. */
export type RopeScaling =
  | { readonly type: 'linear'; readonly factor: number }
  | {
      readonly type: 'llama3';
      readonly factor: number;
      readonly lowFreqFactor: number;
      readonly highFreqFactor: number;
      readonly originalMaxPositions: number;
    }
  | {
      /**
       * Phi-3 longrope / su: frequencies divided by the short factors while a call's sequence
       * (its largest position + 1) stays within originalMaxPositions, by the long ones past it.
       */
      readonly type: 'longrope';
      readonly shortFactors: readonly number[];
      readonly longFactors: readonly number[];
      readonly originalMaxPositions: number;
      /** Multiplies cos and sin (with either set of factors). */
      readonly attentionFactor: number;
    };

/** What differs between the layers of one model (Gemma's local/global layers, Mistral's window). */
export interface LayerAttention {
  /** Sliding window (query q sees keys q − window < k ≤ q), or null for full causal attention. */
  readonly window: number | null;
  readonly ropeTheta: number;
  readonly ropeScaling: RopeScaling | null;
}

/**
 * Where a block's norms sit: 'pre' (ln1 before attention, ln2 before the MLP), 'sandwich'
 * (Gemma: also ln1_post / ln2_post on each sublayer's output) or 'post' (OLMo-2: only the
 * post-sublayer norms).
 */
export type BlockNorms = 'pre' | 'sandwich' | 'post';

export interface ModelSpec {
  readonly modelType: ModelType;
  readonly nLayers: number;
  readonly nHeads: number;
  /** Equal to nHeads unless grouped-query attention. */
  readonly nKvHeads: number;
  readonly dModel: number;
  readonly dHead: number;
  /** MLP hidden width (d_mlp). */
  readonly dMlp: number;
  readonly dVocab: number;
  /** Longest sequence the model accepts (n_positions / max_position_embeddings). */
  readonly nCtx: number;
  readonly normalization: 'layernorm' | 'rmsnorm';
  readonly normEps: number;
  readonly positional: 'learned' | 'rotary';
  /** Rotary dims per head (dHead for Llama/Qwen2, dHead·rotary_pct for NeoX); 0 for learned. */
  readonly rotaryDims: number;
  readonly ropeTheta: number;
  readonly activation: Activation;
  /** SwiGLU-style MLP: down(act(gate(x)) ⊙ up(x)). */
  readonly gatedMlp: boolean;
  /** GPT-NeoX: x + attn(ln1(x)) + mlp(ln2(x)). */
  readonly parallelResidual: boolean;
  /** The unembedding is the token embedding (no separate lm_head tensor). */
  readonly tiedEmbeddings: boolean;
  /** Token ids from config/generation_config; null when the model has none. */
  readonly bosTokenId: number | null;
  readonly eosTokenIds: readonly number[];

  // --- newer families (absent: the behaviour of GPT-2 / NeoX / Llama) ---------------------
  /** Token embeddings are multiplied by this (Gemma: float32(√d_model)). */
  readonly embedScale?: number;
  /** Attention score scale (Gemma: query_pre_attn_scalar^−½); absent: dHead^−½. */
  readonly attnScale?: number;
  /** Gemma-2: scores become c·tanh(s/c) before the mask. */
  readonly attnSoftcap?: number;
  /** Gemma-2: logits become c·tanh(z/c). */
  readonly finalSoftcap?: number;
  /** Per layer (length nLayers): window and RoPE; absent: no window, ropeTheta unscaled. */
  readonly layers?: readonly LayerAttention[];
  /** RMSNorm on q and k before RoPE: per head over dHead (Qwen3, Gemma-3) or over the whole projection (OLMo-2). */
  readonly qkNorm?: 'head' | 'projection';
  /** Absent: 'pre'. */
  readonly blockNorms?: BlockNorms;
  /** Set when the checkpoint holds more than the text model (Gemma-3 multimodal): what was skipped. */
  readonly skipped?: string;
}

/** Layer l's window and RoPE settings. */
export function layerAttention(spec: ModelSpec, l: number): LayerAttention {
  return spec.layers?.[l] ?? { window: null, ropeTheta: spec.ropeTheta, ropeScaling: null };
}

export function blockNorms(spec: ModelSpec): BlockNorms {
  return spec.blockNorms ?? 'pre';
}
