/** The clean prompt's ids for a view, or why a view cannot run yet. */
import { useModel } from '../app/model-state.tsx';
import { usePrompt } from '../app/prompt-state.tsx';
import type { TokenInfo } from '../worker/contracts.ts';

export interface PromptInput {
  readonly ids: number[] | null;
  readonly tokens: readonly TokenInfo[] | null;
  /** null when the view can run. */
  readonly blocked: string | null;
}

export function usePromptInput(): PromptInput {
  const { card, load } = useModel();
  const { clean } = usePrompt();
  if (!card) return { ids: null, tokens: null, blocked: load.status === 'running' ? 'Loading the model…' : 'Open a model first.' };
  if (!clean.tokens || clean.stale) return { ids: null, tokens: null, blocked: 'Tokenising…' };
  if (clean.tokens.length === 0) return { ids: null, tokens: null, blocked: 'The prompt is empty.' };
  if (clean.tokens.length > card.nCtx) return { ids: null, tokens: clean.tokens, blocked: `The prompt exceeds the context (${card.nCtx} tokens).` };
  return { ids: clean.tokens.map((t) => t.id), tokens: clean.tokens, blocked: null };
}

/** Whether a result was computed for the prompt now in the editor. */
export function sameIds(a: readonly number[] | null, b: readonly number[]): boolean {
  return a !== null && a.length === b.length && a.every((v, i) => v === b[i]);
}
