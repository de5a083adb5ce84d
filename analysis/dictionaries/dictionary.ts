/**
 * A sparse dictionary (SAE or transcoder) as the engine sees it, whatever file format it came
 * from: one encoder, one activation function, one decoder, the hooks it reads and writes.
 *
 * Layouts are fixed here so every loader converts once: the encoder is stored as `linear`
 * expects it ([d_sae, d_in], circuit-tracer's layout; SAELens's W_enc is transposed on load)
 * and the decoder as SAELens and circuit-tracer both store it, [d_sae, d_out] (one row per
 * feature, the feature's direction). Semantics: ../../../shared/fixtures/README.md,
 * "Sparse dictionaries", and the format files.
 */
import type { HostWeight } from '../../gpu/backend.ts';

/** The activation function, named after SAELens's architectures. */
export type Activation = 'relu' | 'topk' | 'jumprelu' | 'gated';

/**
 * SAELens `normalize_activations`: `none` (also `expected_average_only_in`, whose factor SAELens
 * folds into the weights when it saves), `constant_norm_rescale` (x·√d_in/‖x‖ in, undone on the
 * output) and `layer_norm` (x centred and divided by its unbiased std + 1e-5, undone on the
 * output).
 */
export type Normalization = 'none' | 'constant_norm_rescale' | 'layer_norm';

export type DictionaryFormat = 'saelens' | 'gemma-scope-2' | 'circuit-tracer';

export interface DictionaryConfig {
  /** Where it came from, for messages, e.g. the folder path. */
  readonly label: string;
  readonly format: DictionaryFormat;
  /** SAELens architecture name (`standard`, `topk`, `jumprelu`, `transcoder`, `jumprelu_transcoder`) or the format's equivalent. */
  readonly architecture: string;
  readonly activation: Activation;
  /** An SAE reads and writes one hook; a transcoder reads `hookIn` and writes `hookOut`. */
  readonly kind: 'sae' | 'transcoder';
  readonly hookIn: string;
  readonly hookOut: string;
  /**
   * SAELens `hook_head_index`: the dictionary reads (and writes) one head of a per-head hook
   * ([batch, pos, head, dHead]); null for all of it (hook_z dictionaries then read the heads
   * flattened to head·dHead, SAELens's hook_z reshaping).
   */
  readonly headIndex: number | null;
  readonly dIn: number;
  readonly dSae: number;
  readonly dOut: number;
  /** top-k: features kept per position. */
  readonly k: number | null;
  readonly applyBDecToInput: boolean;
  readonly normalization: Normalization;
  /** The model the file says it was trained on (informational). */
  readonly modelName: string | null;
}

export interface DictionaryWeights<T> {
  /** [d_sae, d_in]. */
  readonly encoder: T;
  /** [d_sae]. */
  readonly bEnc: T;
  /** [d_sae, d_out]: row f is feature f's output direction. */
  readonly decoder: T;
  /** [d_out]. */
  readonly bDec: T;
  /** [d_sae], JumpReLU only. */
  readonly threshold: T | null;
  /** [d_out, d_in] (`linear` layout): a skip connection added to the output, skip·x. */
  readonly skip: T | null;
  /**
   * Gated SAEs: the gate path, encoder [d_sae, d_in] and bias [d_sae]; a feature is on where
   * sae_in · gateᵀ + gate bias > 0. (`encoder`/`bEnc` are then the magnitude path.)
   */
  readonly gate?: { readonly encoder: T; readonly bias: T } | null;
}

export interface HostDictionary {
  readonly config: DictionaryConfig;
  readonly weights: DictionaryWeights<HostWeight>;
}

/** The SAELens-style names of the activations a dictionary adds, under its output hook. */
export const dictionaryHook = {
  input: (hookOut: string) => `${hookOut}.hook_sae_input`,
  actsPre: (hookOut: string) => `${hookOut}.hook_sae_acts_pre`,
  actsPost: (hookOut: string) => `${hookOut}.hook_sae_acts_post`,
  recons: (hookOut: string) => `${hookOut}.hook_sae_recons`,
  error: (hookOut: string) => `${hookOut}.hook_sae_error`,
  output: (hookOut: string) => `${hookOut}.hook_sae_output`,
} as const;
