/** The clean/corrupted pair for patching views, or why it is not ready. */
import { useModel } from '../../app/model-state.tsx';
import { usePrompt } from '../../app/prompt-state.tsx';
import { pairProblem } from '../../prompt/pair.ts';
import type { TokenInfo } from '../../worker/contracts.ts';

export interface PairInput {
  readonly clean: readonly TokenInfo[] | null;
  readonly corrupted: readonly TokenInfo[] | null;
  /** Why the pair cannot be used with token corruption (null when it can). */
  readonly pairBlocked: string | null;
  /** Why nothing can run (no model, clean prompt not ready). */
  readonly blocked: string | null;
}

export function usePairInput(): PairInput {
  const { card } = useModel();
  const { clean, corrupted, pairMode } = usePrompt();
  const cleanTokens = clean.tokens && !clean.stale ? clean.tokens : null;
  const corruptedTokens = pairMode && corrupted.tokens && !corrupted.stale ? corrupted.tokens : null;
  const blocked = !card ? 'Open a model first.' : !cleanTokens ? 'Tokenising…' : cleanTokens.length > card.nCtx ? 'The prompt exceeds the context.' : null;
  const pairBlocked = !pairMode ? 'Turn on the corrupted prompt above.' : pairProblem(cleanTokens, corruptedTokens);
  return { clean: cleanTokens, corrupted: corruptedTokens, pairBlocked, blocked };
}
