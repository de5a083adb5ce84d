/**
 * The data that crosses the worker boundary: parameters and results of every job. Plain data
 * only (numbers, strings, arrays, typed arrays, File objects), so the same objects can be stored
 * in projects and named in notebooks. Matrices are flat row-major Float32Arrays with their axes
 * named beside them, in the codebase's axis vocabulary.
 */

// ---- models -------------------------------------------------------------------------------

import type { ModelIdentity } from '../../analysis/formats/model-identity.ts';
import type { Intervention } from '../../analysis/hooks/interventions.ts';
import type { ModelComparison } from '../../analysis/methods/compare-models.ts';
import type { ProgressUnit } from '../../analysis/registry/contract.ts';
import type { FolderFile } from '../model-sources/file-list-source.ts';

/** A file of a model folder the user picked; `path` is relative to the folder ("config.json"). */
export type LocalModelFile = FolderFile;

export type ModelSourceRequest =
  /** Shipped with the app; `url` is the folder's absolute URL (served with Range), `files` its file names. */
  | { readonly kind: 'builtin'; readonly name: string; readonly url: string; readonly files: readonly string[] }
  /** Any folder served over HTTP with Range (Electron's model protocol). */
  | { readonly kind: 'url'; readonly label: string; readonly url: string }
  /** A local folder picked in the browser. */
  | { readonly kind: 'files'; readonly label: string; readonly files: readonly LocalModelFile[] };

/** cpu: the fast CPU backend (gpu/wasm); cpu-ref: the float64 reference backend. */
export type BackendPreference = 'auto' | 'webgpu' | 'cpu' | 'cpu-ref';

export interface LoadModelParams {
  readonly source: ModelSourceRequest;
  readonly backend: BackendPreference;
}

/** Times one forward pass of the open model on every backend this browser has. */
export interface CompareBackendsParams {
  readonly ids: readonly number[];
}

export interface BackendTiming {
  readonly backend: 'cpu' | 'webgpu';
  /** The adapter or device, or null when the backend could not be opened. */
  readonly adapter: string | null;
  /** Median of three forward passes after a warm-up, in ms; null when the backend is unavailable. */
  readonly forwardMs: number | null;
  /** The backend the open model uses now. */
  readonly current: boolean;
  /** Why it is unavailable, or that the adapter is a software renderer. */
  readonly note: string | null;
}

export interface CompareBackendsResult {
  readonly tokens: number;
  readonly timings: readonly BackendTiming[];
}

/** Runs the prompt through the open model (A) and a second checkpoint (B) of the same architecture. */
export interface CompareModelsParams {
  /** The second checkpoint: a picked .gguf file or model folder, read on the open model's backend. */
  readonly source: ModelSourceRequest;
  readonly ids: readonly number[];
}

/** analysis/methods/compare-models.ts's ModelComparison, with both labels and the token strings. */
export interface CompareModelsResult extends ModelComparison {
  readonly a: string;
  readonly b: string;
  /** The prompt's tokens, and each position's argmax token under A and under B, as readable strings. */
  readonly tokens: readonly string[];
  readonly top1Tokens: readonly { readonly a: string; readonly b: string }[];
  /** The interventions both models ran with (the session's list when the job started), in order. */
  readonly interventions: readonly Intervention[];
}

export interface BackendCard {
  readonly name: 'cpu' | 'wasm' | 'webgpu';
  readonly adapter: string;
  /** Why this backend was chosen when another was preferred (e.g. "no WebGPU adapter"). */
  readonly note: string | null;
}

export interface TensorTypeCount {
  readonly dtype: string;
  readonly tensors: number;
  readonly parameters: number;
  readonly bytes: number;
}

export interface ModelCard {
  readonly label: string;
  /** From config.json's `architectures`, else the model type. */
  readonly architecture: string;
  readonly modelType: string;
  readonly nLayers: number;
  readonly nHeads: number;
  readonly nKvHeads: number;
  readonly dModel: number;
  readonly dHead: number;
  readonly dMlp: number;
  readonly dVocab: number;
  readonly nCtx: number;
  readonly normalization: string;
  readonly positional: string;
  readonly activation: string;
  readonly gatedMlp: boolean;
  readonly parallelResidual: boolean;
  readonly tiedEmbeddings: boolean;
  readonly parameters: number;
  /** Stored dtypes of the weights, e.g. ["F32"]. */
  readonly dtypes: readonly string[];
  /** Weights per stored type (quantisation of a GGUF file: Q4_0, Q8_0, F16, F32 …), largest first. */
  readonly tensorTypes: readonly TensorTypeCount[];
  /** Bytes of the weights as stored in the checkpoint. */
  readonly weightBytes: number;
  /** Bytes the weights take on the backend (f32 on the CPU backend). */
  readonly backendBytes: number;
  readonly backend: BackendCard;
  readonly hasTokenizer: boolean;
  /** What the checkpoint holds that was not loaded (a multimodal Gemma-3's vision tower), or null. */
  readonly skipped: string | null;
  readonly bosTokenId: number | null;
  readonly eosTokenIds: readonly number[];
  readonly loadMs: number;
  /** The model's content identity (analysis/formats/model-identity.ts): project references and notebook cache keys. */
  readonly identity: ModelIdentity;
}

// ---- tokens -------------------------------------------------------------------------------

export interface TokenInfo {
  readonly id: number;
  /** The token's text as the tokenizer's `tokenString` gives it (spaces kept). */
  readonly text: string;
  /** BOS/EOS and other special tokens. */
  readonly special: boolean;
}

export interface TokenizeParams {
  readonly text: string;
  readonly prependBos: boolean;
}

export interface TokenizeResult {
  readonly tokens: readonly TokenInfo[];
}

/** One token typed by a person (id, quoted token string or one token of text): analysis/methods/token-input.ts. */
export interface ResolveTokenParams {
  readonly input: string;
}

export type ResolveTokenResult = { readonly ok: true; readonly id: number; readonly token: string; readonly label: string } | { readonly ok: false; readonly message: string };

export interface TokenCandidate extends TokenInfo {
  readonly prob: number;
  readonly logit: number;
}

export interface NextTokenParams {
  readonly ids: readonly number[];
  readonly topK: number;
}

export interface NextTokenResult {
  readonly candidates: readonly TokenCandidate[];
  /** Entropy of the next-token distribution in nats. */
  readonly entropy: number;
}

export interface SamplingParams {
  /** 0 = greedy. */
  readonly temperature: number;
  /** 0 = no top-k cut. */
  readonly topK: number;
  /** 1 = no nucleus cut. */
  readonly topP: number;
  readonly seed: number;
  readonly maxNewTokens: number;
}

export interface GenerateParams extends SamplingParams {
  readonly ids: readonly number[];
}

export interface GenerateResult {
  readonly newTokens: readonly TokenInfo[];
  readonly text: string | null;
  readonly stopped: 'stop_token' | 'max_tokens' | 'context';
  /** The interventions the model generated with (the session's list when the job started), in order. */
  readonly interventions: readonly Intervention[];
}

// ---- progress and errors ------------------------------------------------------------------

/** What progress is counted in: the method contract's units (one list for methods and jobs). */
export type { ProgressUnit };

export interface Progress {
  readonly done: number;
  readonly total: number;
  readonly unit: ProgressUnit;
  /** What is being done now, e.g. "reading weights". */
  readonly stage: string;
}

export interface JobError {
  /** 'format': a broken or unsupported model (the message is for the user as is). */
  readonly kind: 'format' | 'input' | 'internal';
  readonly name: string;
  readonly message: string;
}
