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
  /** A cross-layer transcoder: used whole (spliced, or an attribution graph's transcoders), never as one dictionary. */
  readonly crossLayer?: boolean;
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

/** What an opened folder holds, in a few words: "cross-layer transcoder, 26 layers × 16384 features" or "3 dictionaries". */
export function folderContents(folder: OpenedDictionaries): string {
  if (folder.crossLayer) return `cross-layer transcoder, ${folder.crossLayer.layers} layers × ${folder.crossLayer.dSae} features`;
  return `${folder.dictionaries.length} ${folder.dictionaries.length === 1 ? 'dictionary' : 'dictionaries'}`;
}

/** One option per dictionary of every opened folder; one for a cross-layer transcoder as a whole. */
export function openedOptions(folders: readonly OpenedDictionaries[]): DictionaryOption[] {
  return folders.flatMap((o): DictionaryOption[] =>
    o.crossLayer
      ? [{ value: `${o.ref}#clt`, label: `${o.label} · ${folderContents(o)}`, dictionary: o.ref, identity: `${o.label}@${o.digest}#clt`, crossLayer: true }]
      : o.dictionaries.map((d) => ({
          value: `${o.ref}#${d.hookOut}`,
          label: `${o.label} · ${d.hookOut} (${d.architecture}, ${d.dSae} features)`,
          dictionary: o.ref,
          hook: o.dictionaries.length > 1 ? d.hookOut : undefined,
          identity: `${o.label}@${o.digest}#${d.hookOut}`,
        })),
  );
}

/** Why a dictionary view cannot use the option, or null: its methods read one SAE or per-layer transcoder. */
export function crossLayerRefusal(option: DictionaryOption): string | null {
  return option.crossLayer
    ? `${option.label.split(' · ')[0]} is a cross-layer transcoder: feature dashboards, steering and search read one SAE or per-layer transcoder. Use it as the Attribution graph's transcoders, or splice it into every method's run (Splice into every method).`
    : null;
}

/** What the steering and search panels need from the view: the chosen dictionary and feature. */
export interface FeatureChoice {
  readonly dictionary: string;
  readonly hook?: string;
  readonly feature: number;
  /** Why the feature cannot be used (out of range, field refused), or null. */
  readonly blocked: string | null;
}
