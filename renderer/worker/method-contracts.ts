/**
 * Parameters and results of the generic method job: any method of the registry
 * (analysis/registry/) with its params as the method's schema reads them and its JSON result.
 */
import type { Json } from '../../analysis/json.ts';
import type { PromptItem } from '../../analysis/registry/contract.ts';

/** 'builtin': the stories260K subject-gender set; otherwise a dataset file's text (JSON). */
export type ProbeDatasetInput = { readonly kind: 'builtin' } | { readonly kind: 'json'; readonly name: string; readonly text: string };

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
  /** For methods that read a dataset (probe). */
  readonly dataset?: ProbeDatasetInput;
}
export type MethodJobResult = Json;
