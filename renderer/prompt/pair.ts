/** Clean/corrupted prompt pairs: positions that differ, and whether the pair can be patched. */
import type { TokenInfo } from '../worker/contracts.ts';

export function changedPositions(a: readonly TokenInfo[] | null, b: readonly TokenInfo[] | null): Set<number> {
  const out = new Set<number>();
  if (!a || !b) return out;
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i].id !== b[i].id) out.add(i);
  return out;
}

/** null when the pair is usable; otherwise why not (patching needs equal lengths). */
export function pairProblem(clean: readonly TokenInfo[] | null, corrupted: readonly TokenInfo[] | null): string | null {
  if (!clean || !corrupted) return 'Waiting for both prompts to be tokenised.';
  if (clean.length !== corrupted.length) {
    return `The prompts must have the same number of tokens to be patched: clean has ${clean.length}, corrupted ${corrupted.length}.`;
  }
  if (changedPositions(clean, corrupted).size === 0) return 'The two prompts are identical.';
  return null;
}
