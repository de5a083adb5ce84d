/**
 * Parameters and results of the method jobs (analysis/methods/). Results are the methods' own
 * result types (plain data, structured-cloneable) wherever they fit, so the app shows exactly
 * what the method computed; parameters are the methods' options in the app's terms (token ids
 * from the prompt editor, tokens chosen in the UI).
 */
import type { AblationMode, AblationResult } from '../../analysis/methods/ablation.ts';
import type { AblationSweepResult } from '../../analysis/methods/ablation-sweep.ts';
import type { AttributionPatchingResult } from '../../analysis/methods/attribution-patching.ts';
import type { DlaResult } from '../../analysis/methods/dla.ts';
import type { HeadScoresResult } from '../../analysis/methods/head-scores.ts';
import type { LinearScopeMode, LinearScopeResult } from '../../analysis/methods/linearscope.ts';
import type { NeuronDirections } from '../../analysis/methods/neurons.ts';
import type { ObsPropResult } from '../../analysis/methods/obsprop.ts';
import type { PatchHook } from '../../analysis/methods/patch-cells.ts';
import type { PatchingResult } from '../../analysis/methods/patching.ts';
import type { PathPatchingResult } from '../../analysis/methods/path-patching.ts';
import type { ProbeMethod, ProbeResult } from '../../analysis/methods/probe.ts';
import type { ProbePosition } from '../../analysis/methods/probe-data.ts';
import type { RetrievalResult } from '../../analysis/methods/retrieval.ts';
import type { Json } from '../../analysis/json.ts';
import type { PromptItem } from '../../analysis/registry/contract.ts';

export type { AblationMode, PatchHook, LinearScopeMode, ProbeMethod, ProbePosition };

/**
 * Any method of the registry (analysis/registry/), run as the CLI and notebooks run it: params as
 * its schema reads them, prompts as the prompt set params refer to, the JSON result a notebook
 * stores.
 */
export interface MethodJobParams {
  readonly method: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly prompts: readonly PromptItem[] | null;
  readonly prependBos?: boolean;
  /** For methods that read a dataset (probe): as ProbeParams gives it. */
  readonly dataset?: ProbeParams['dataset'];
}
export type MethodJobResult = Json;

/** The scalar a method reads from the logits at `pos`: logit[answer] (− logit[wrong]). */
export interface MetricParams {
  /** Default: the model's top token on the clean prompt at `pos`. */
  readonly answer?: number;
  /** Default (patching views): the top token on the corrupted prompt, when it differs. */
  readonly wrong?: number;
  /** Absolute position (default the last). */
  readonly pos?: number;
}

/** Texts of the tokens a result names (answer, wrong), for captions. */
export interface WithTokenTexts {
  readonly tokenTexts: Readonly<Record<number, string>>;
}

export interface NeuronParams {
  readonly layer: number;
  readonly neuron: number;
  readonly topK: number;
  readonly applyNormGain: boolean;
}
export type NeuronResult = NeuronDirections;

export interface DlaParams extends MetricParams {
  readonly ids: readonly number[];
  readonly perSource: boolean;
}
export type DlaJobResult = DlaResult & WithTokenTexts;

export interface AblationParams extends MetricParams {
  readonly ids: readonly number[];
  readonly mode: AblationMode;
  /** resample mode: the input whose hook_z replaces the head's (the corrupted prompt). */
  readonly resampleIds?: readonly number[];
}
export type AblationSweepJobResult = AblationSweepResult & WithTokenTexts;

export interface AblateHeadParams extends AblationParams {
  readonly layer: number;
  readonly head: number;
  readonly topK: number;
}

export interface TokenDelta {
  readonly id: number;
  readonly text: string;
  readonly clean: number;
  readonly ablated: number;
}

/** One head ablated: the method's numbers without its full logit rows, plus the tokens that moved. */
export interface AblateHeadResult extends Omit<AblationResult, 'logits' | 'clean' | 'interventions'> {
  readonly cleanMetric: number;
  readonly cleanLoss: number | null;
  /** Top tokens of the clean and the ablated run with both probabilities. */
  readonly cleanTop: readonly TokenDelta[];
  readonly ablatedTop: readonly TokenDelta[];
}

/** How the corrupted run is made: the corrupted prompt, or Gaussian noise on chosen embeddings. */
export type CorruptionParams =
  | { readonly kind: 'tokens'; readonly ids: readonly number[] }
  | { readonly kind: 'noise'; readonly positions: readonly number[]; readonly seed: number };

export interface PatchingParams extends MetricParams {
  readonly clean: readonly number[];
  readonly corruption: CorruptionParams;
  readonly hook: PatchHook;
  readonly byPosition: boolean;
  readonly direction: 'denoising' | 'noising';
}
export interface PatchingJobResult extends PatchingResult, WithTokenTexts {
  readonly answer: number;
  readonly wrong: number | null;
}

export type ReceiverParams = 'logits' | { readonly layer: number; readonly head: number; readonly input: 'q' | 'k' | 'v' };

export interface PathPatchingParams extends MetricParams {
  readonly clean: readonly number[];
  readonly corruption: CorruptionParams;
  readonly receiver: ReceiverParams;
  readonly recomputeMlps: boolean;
}
export interface PathPatchingJobResult extends PathPatchingResult, WithTokenTexts {
  readonly answer: number;
  readonly wrong: number | null;
}

export interface HeadScoresParams {
  readonly n: number;
  readonly batch: number;
  readonly seed: number;
  readonly prependBos: boolean;
  readonly successor: boolean;
}
export interface HeadScoresJobResult extends HeadScoresResult {
  /** [batch][pos] the text of every token in `ids`. */
  readonly texts: readonly (readonly string[])[];
}

export interface AttributionParams extends MetricParams {
  readonly clean: readonly number[];
  readonly corruption: CorruptionParams;
  readonly hook: PatchHook;
  readonly byPosition: boolean;
}
export interface AttributionJobResult extends AttributionPatchingResult, WithTokenTexts {
  readonly answer: number;
  readonly wrong: number | null;
}

export interface LinearScopeParams extends MetricParams {
  readonly ids: readonly number[];
  readonly mode: LinearScopeMode;
  readonly decodeTopK: number;
}
/** The method's result without the pull-back caches (large, and shown through `decoded`). */
export type LinearScopeJobResult = Omit<LinearScopeResult, 'pullBacks'> & WithTokenTexts;

export interface ObsPropParams {
  /** Token texts or ids of the observable's positive and negative sides. */
  readonly positive: readonly (string | number)[];
  readonly negative: readonly (string | number)[];
  readonly ids: readonly number[];
  readonly pos?: number;
  readonly scales: 'prompt' | 'data-free';
  readonly effects: 'zero' | 'mean' | 'none';
  readonly topK: number;
  /** Heads (by feature norm) in the coupling matrix. */
  readonly couplingHeads: number;
}
export interface ObsPropJobResult extends Omit<ObsPropResult, 'cosine'> {
  /** The `couplingHeads` heads with the largest feature norms, in that order. */
  readonly couplingHeads: readonly { readonly layer: number; readonly head: number }[];
  /** [i][j] C(y_i, y_j) = y_i · y_j / ‖y_i‖² over couplingHeads. */
  readonly coupling: readonly (readonly number[])[];
}

export interface RetrievalParams {
  /** Context lengths in tokens (each ≤ the model's context). */
  readonly contextLengths: readonly number[];
  /** Needle depths in percent of the context (0 = start, 100 = end), as in the CLI and notebooks. */
  readonly depths: readonly number[];
  /** Indices into the built-in needles (NEEDLE_CHOICES). */
  readonly needles: readonly number[];
  readonly maxNewTokens: number;
  readonly threshold: number;
}
export interface RetrievalJobResult extends RetrievalResult {
  /** Per sample: needle index, context length and depth (same order as `samples`). */
  readonly settings: readonly { readonly needle: number; readonly contextLength: number; readonly depth: number }[];
  readonly threshold: number;
}

export interface ProbeParams {
  /** 'builtin': the stories260K subject-gender set; otherwise a dataset file's text (JSON). */
  readonly dataset: { readonly kind: 'builtin' } | { readonly kind: 'json'; readonly name: string; readonly text: string };
  readonly hook: string;
  readonly position: ProbePosition;
  readonly method: ProbeMethod;
  readonly testFraction: number;
  readonly seed: number;
}
export interface ProbeJobResult extends ProbeResult {
  readonly datasetName: string;
}
