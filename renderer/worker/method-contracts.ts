/**
 * Parameters and results of the method jobs (analysis/methods/). Results are the methods' own
 * result types (plain data, structured-cloneable) wherever they fit, so the app shows exactly
 * what the method computed; parameters are the methods' options in the app's terms (token ids
 * from the prompt editor, tokens chosen in the UI).
 */
import type { HeadScoresResult } from '../../analysis/methods/head-scores.ts';
import type { NeuronDirections } from '../../analysis/methods/neurons.ts';
import type { ProbeMethod, ProbeResult } from '../../analysis/methods/probe.ts';
import type { ProbePosition } from '../../analysis/methods/probe-data.ts';
import type { RetrievalResult } from '../../analysis/methods/retrieval.ts';
import type { Json } from '../../analysis/json.ts';
import type { PromptItem } from '../../analysis/registry/contract.ts';

export type { ProbeMethod, ProbePosition };

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

export interface NeuronParams {
  readonly layer: number;
  readonly neuron: number;
  readonly topK: number;
  readonly applyNormGain: boolean;
}
export type NeuronResult = NeuronDirections;

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
