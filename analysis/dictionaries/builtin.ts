/**
 * Dictionaries that ship with the app: one TopK SAE per residual layer of stories260K, trained by
 * `probescope dictionary-train` on the model's own seeded samples (models/stories260K-saes/, with
 * its README and metrics). Located like the built-in model (analysis/model/builtin.ts): relative
 * to this module, a file: URL in Node and http(s): in a browser. Browser-safe.
 */
import { urlSourceHost } from '#url-source';
import type { HostDictionary } from './dictionary.ts';
import { loadSaeLens } from './saelens.ts';

export interface BuiltinDictionary {
  /** e.g. "builtin:stories260K-saes/blocks.2.hook_resid_post" */
  readonly id: string;
  /** The built-in model it belongs to. */
  readonly model: string;
  readonly hook: string;
  readonly url: URL;
  readonly files: readonly string[];
}

// A variable inside `new URL(…)`, as for the built-in model: bundlers must not rewrite it.
const STORIES_SAES_FOLDER = '../../models/stories260K-saes/';
const STORIES_LAYERS = 5;

/** One SAELens folder per layer of stories260K in models/<set>/, each named after the hook it writes. */
function storiesSet(set: string, folder: string, hookOf: (layer: number) => string): BuiltinDictionary[] {
  return Array.from({ length: STORIES_LAYERS }, (_, l) => {
    const hook = hookOf(l);
    return {
      id: `builtin:${set}/${hook}`,
      model: 'builtin:stories260K',
      hook,
      url: new URL(`${folder}${hook}/`, import.meta.url),
      files: ['cfg.json', 'sae_weights.safetensors', 'metrics.json'],
    };
  });
}

export const BUILTIN_DICTIONARIES: readonly BuiltinDictionary[] = storiesSet('stories260K-saes', STORIES_SAES_FOLDER, (l) => `blocks.${l}.hook_resid_post`);

// One TopK transcoder per layer of stories260K (ln2.hook_normalized → hook_mlp_out), for attribution graphs.
const STORIES_TRANSCODERS_FOLDER = '../../models/stories260K-transcoders/';

export const BUILTIN_TRANSCODERS: readonly BuiltinDictionary[] = storiesSet('stories260K-transcoders', STORIES_TRANSCODERS_FOLDER, (l) => `blocks.${l}.hook_mlp_out`);

const ALL_BUILTIN = [...BUILTIN_DICTIONARIES, ...BUILTIN_TRANSCODERS];

export function builtinDictionary(id: string): BuiltinDictionary {
  const found = ALL_BUILTIN.find((d) => d.id === id);
  if (!found) throw new Error(`unknown built-in dictionary "${id}" (available: ${ALL_BUILTIN.map((d) => d.id).join(', ')})`);
  return found;
}

/**
 * A built-in reference: one dictionary by its id, or a whole set by its folder name
 * (`builtin:stories260K-transcoders`, `builtin:stories260K-saes`), in layer order.
 */
export async function openBuiltinDictionaries(ref: string): Promise<HostDictionary[]> {
  const set = ALL_BUILTIN.filter((d) => d.id.startsWith(`${ref}/`));
  if (set.length > 0) return Promise.all(set.map((d) => openBuiltinDictionary(d.id)));
  return [await openBuiltinDictionary(builtinDictionary(ref).id)];
}

/** Opens a built-in dictionary: the folder on disk in Node, HTTP range reads elsewhere. */
export async function openBuiltinDictionary(id: string): Promise<HostDictionary> {
  return loadSaeLens(urlSourceHost.openFolder(builtinDictionary(id).url, id));
}
