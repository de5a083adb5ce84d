/**
 * A set of dictionaries in one folder: the folder is itself one dictionary (SAELens cfg.json,
 * circuit-tracer config.yaml, Gemma Scope 2), or it holds one SAELens folder per hook, named after
 * the hook the dictionary writes (`blocks.1.hook_mlp_out/cfg.json` …, as `probescope
 * dictionary-train` writes them). Works on any ModelSource (disk, HTTP, a picked folder).
 */
import type { ModelSource } from '../formats/source.ts';
import type { HostDictionary } from './dictionary.ts';
import { openDictionaries } from './open.ts';
import { CIRCUIT_TRACER_CONFIG } from './circuit-tracer.ts';
import { GEMMA_SCOPE_FILE } from './gemma-scope.ts';
import { SAELENS_CONFIG_FILE } from './saelens.ts';

/** The files of `source` under `folder/`. */
export function subfolderSource(source: ModelSource, folder: string): ModelSource {
  const path = (file: string) => `${folder}/${file}`;
  return {
    label: `${source.label}/${folder}`,
    has: (file) => source.has(path(file)),
    size: (file) => source.size(path(file)),
    read: (file, start, end) => source.read(path(file), start, end),
  };
}

/**
 * Every dictionary of the folder: the folder itself when it is one, else one per hook of
 * `hookNames` that has a SAELens subfolder (in that order). Throws naming the folder when it has none.
 */
export async function openDictionarySet(source: ModelSource, hookNames: readonly string[], nLayers: number): Promise<HostDictionary[]> {
  for (const file of [SAELENS_CONFIG_FILE, CIRCUIT_TRACER_CONFIG, GEMMA_SCOPE_FILE]) {
    if (await source.has(file)) return openDictionaries(source, { nLayers });
  }
  const found: HostDictionary[] = [];
  for (const name of hookNames) {
    if (await source.has(`${name}/${SAELENS_CONFIG_FILE}`)) found.push(...(await openDictionaries(subfolderSource(source, name), { nLayers })));
  }
  if (found.length === 0) {
    throw new Error(`${source.label}: no dictionary here (no ${SAELENS_CONFIG_FILE} or config.yaml, and no subfolder named after a hook such as ${hookNames[0] ?? 'blocks.0.hook_mlp_out'}/${SAELENS_CONFIG_FILE})`);
  }
  return found;
}
