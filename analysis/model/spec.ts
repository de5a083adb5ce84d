/**
 * A typed, architecture-neutral description of a transformer. Produced from a Hugging Face
 * config.json by `analysis/formats/config.ts`; consumed by the forward pass.
 */

export const SUPPORTED_MODEL_TYPES = ['gpt2', 'gpt_neox', 'llama', 'mistral', 'qwen2'] as const;
export type ModelType = (typeof SUPPORTED_MODEL_TYPES)[number];

export type Activation = 'gelu_tanh' | 'gelu_erf' | 'silu' | 'relu';

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
}
