/**
 * Parameters and results of the generic method job: any method of the registry
 * (analysis/registry/) with its params as the method's schema reads them and its JSON result.
 */
import type { Intervention } from '../../analysis/hooks/interventions.ts';
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
/**
 * The method's JSON result, with the interventions the job's model carried (the session's list
 * when the job took its model, in order; empty for the plain model). The page records this list,
 * not its own view of the session, so a run started while a new list was being set states exactly
 * what it ran with.
 */
export interface MethodJobResult {
  readonly result: Json;
  readonly interventions: readonly Intervention[];
}
