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

/** `params` with the spliced dictionaries added, unless there are none or the params name their own. */
export function withSplicedDictionaries(params: Record<string, unknown>, chosen: SplicedDictionaries | null): Record<string, unknown> {
  if (chosen === null || Object.prototype.hasOwnProperty.call(params, 'dictionaries')) return params;
  return { ...params, dictionaries: [chosen.ref], dictionarySplice: chosen.mode };
}
