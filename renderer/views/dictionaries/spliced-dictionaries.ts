/**
 * The dictionaries spliced into every method view's run: one reference (a built-in SAE set or a
 * folder opened this session, a cross-layer transcoder included) and a splice mode, given to each
 * registry method as its common `dictionaries` / `dictionarySplice` params
 * (analysis/registry/dictionary-params.ts), so a view's result is the CLI's with
 * `--dictionary REF --dictionary-splice MODE`. A view that names its own dictionaries (feature
 * patching) keeps them. Page state, like the opened folders the references point to.
 */
import { useSyncExternalStore } from 'react';
import type { SpliceMode } from '../../../analysis/dictionaries/attach.ts';

export interface SplicedDictionaries {
  /** A `dictionaries` reference: builtin:… or folder:N/label. */
  readonly ref: string;
  /** How the choice is named on the page. */
  readonly label: string;
  readonly mode: SpliceMode;
}

let spliced: SplicedDictionaries | null = null;
const listeners = new Set<() => void>();

export function setSplicedDictionaries(next: SplicedDictionaries | null): void {
  spliced = next;
  for (const l of listeners) l();
}

export function useSplicedDictionaries(): SplicedDictionaries | null {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => spliced,
  );
}

/** How each splice mode is named on the page. */
export const SPLICE_MODE_NAMES: Readonly<Record<SpliceMode, string>> = { 'with-error': 'with error term', 'without-error': 'reconstruction only', none: 'observed only' };

/** Whether a view's params name dictionaries of their own (feature patching), which the choice does not replace. */
function namesOwnDictionaries(params: Record<string, unknown>): boolean {
  return Object.prototype.hasOwnProperty.call(params, 'dictionaries');
}

/** `params` with the spliced dictionaries added, unless there are none or the params name their own. */
export function withSplicedDictionaries(params: Record<string, unknown>, chosen: SplicedDictionaries | null): Record<string, unknown> {
  if (chosen === null || namesOwnDictionaries(params)) return params;
  return { ...params, dictionaries: [chosen.ref], dictionarySplice: chosen.mode };
}

/**
 * What a method run took from the choice: the spliced dictionaries its params were given (null:
 * none), or 'own' where the view's params named their own dictionaries, so the choice does not
 * reach the run and changing it leaves the result current.
 */
export type RunSplice = SplicedDictionaries | null | 'own';

/** The RunSplice of a run of the view's `params` (before withSplicedDictionaries) under `chosen`. */
export function runSplice(params: Record<string, unknown>, chosen: SplicedDictionaries | null): RunSplice {
  return namesOwnDictionaries(params) ? 'own' : chosen;
}

/**
 * Whether a run with `ran` spliced what the choice `now` splices: the same reference in the same
 * mode (the label only names it), or neither splices anything; always for a view with its own.
 */
export function sameSplice(ran: RunSplice, now: SplicedDictionaries | null): boolean {
  if (ran === 'own') return true;
  if (ran === null || now === null) return ran === now;
  return ran.ref === now.ref && ran.mode === now.mode;
}
