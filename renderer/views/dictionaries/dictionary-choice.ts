/**
 * The dictionaries the view offers: the SAEs that ship with the app (one per residual layer of
 * stories260K, analysis/dictionaries/builtin.ts), by their `builtin:` reference, and the folders
 * the user opened this session (the worker's `openDictionary` job registers them as `folder:…`
 * references, renderer/worker/user-dictionaries.ts). Opened folders are kept in a small store
 * shared by every view that chooses dictionaries (the attribution graph offers them as
 * transcoder sets).
 */
import { useSyncExternalStore } from 'react';
import { BUILTIN_DICTIONARIES } from '../../../analysis/dictionaries/builtin.ts';
import type { OpenedDictionaries } from '../../worker/dictionary-contracts.ts';

export interface DictionaryOption {
  /** Unique among the options (the select's value). */
  readonly value: string;
  readonly label: string;
  /** The method's `dictionary` param. */
  readonly dictionary: string;
  /** The method's `hook` param, for a folder holding several dictionaries. */
  readonly hook?: string;
  /** What stored dashboards are keyed by: the built-in id, or the folder's name, digest and hook. */
  readonly identity: string;
}

export const SAE_CHOICES: readonly DictionaryOption[] = BUILTIN_DICTIONARIES.map((d) => ({
  value: d.id,
  label: `stories260K SAE · ${d.hook}`,
  dictionary: d.id,
  identity: d.id,
}));

let opened: readonly OpenedDictionaries[] = [];
const listeners = new Set<() => void>();

/** Remembers a folder the worker opened, for this page's lifetime (the worker keeps it as long). */
export function addOpenedDictionaries(folder: OpenedDictionaries): void {
  opened = [...opened, folder];
  for (const l of listeners) l();
}

export function useOpenedDictionaries(): readonly OpenedDictionaries[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => opened,
  );
}

/** One option per dictionary of every opened folder. */
export function openedOptions(folders: readonly OpenedDictionaries[]): DictionaryOption[] {
  return folders.flatMap((o) =>
    o.dictionaries.map((d) => ({
      value: `${o.ref}#${d.hookOut}`,
      label: `${o.label} · ${d.hookOut} (${d.architecture}, ${d.dSae} features)`,
      dictionary: o.ref,
      hook: o.dictionaries.length > 1 ? d.hookOut : undefined,
      identity: `${o.label}@${o.digest}#${d.hookOut}`,
    })),
  );
}

/** What the steering and search panels need from the view: the chosen dictionary and feature. */
export interface FeatureChoice {
  readonly dictionary: string;
  readonly hook?: string;
  readonly feature: number;
  /** Why the feature cannot be used (out of range, field refused), or null. */
  readonly blocked: string | null;
}
