/**
 * Jobs of the prompt workspace's intervention list: the open model's hook points (for the hook
 * picker and for checking entries on the page), and setting the interventions every later job
 * runs with (the session's standing interventions).
 */
import type { Intervention } from '../../analysis/hooks/interventions.ts';
import type { HookPoint } from '../../analysis/hooks/points.ts';

export interface HookPointsResult {
  readonly points: readonly HookPoint[];
}

/** The names the app gives the caches of its two prompts (shown in the summary). */
export const PROMPT_CACHES = { clean: 'clean prompt', corrupted: 'corrupted prompt' } as const;
export type PromptCacheName = (typeof PROMPT_CACHES)[keyof typeof PROMPT_CACHES];

export interface SetInterventionsParams {
  /** In order; an empty list makes the model plain again. */
  readonly interventions: readonly Intervention[];
  /** Token ids of the prompts that `source` / `reference` may name, by cache name. */
  readonly prompts: Readonly<Partial<Record<PromptCacheName, readonly number[]>>>;
}

export interface SetInterventionsResult {
  /** What every job now runs with. */
  readonly applied: readonly Intervention[];
  /** "model\n  + zero blocks.3.attn.hook_z · head 2" (analysis/hooks/intervention-summary.ts). */
  readonly summary: string;
}
