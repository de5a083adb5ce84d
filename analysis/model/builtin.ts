/**
 * Models that ship with the app. Their files live in `models/<name>/` at the repository root
 * (packaged into the app's resources by Electron; served over HTTP in the browser), located
 * relative to this module so no caller needs to know the repository layout.
 *
 * Browser-safe: the folder is opened through `#url-source` (formats/url-source.ts), which is
 * the folder on disk under Node and HTTP range reads in a browser.
 */
import { urlSourceHost } from '#url-source';
import type { ModelSource } from '../formats/source.ts';

export interface BuiltinModel {
  /** e.g. "builtin:stories260K" */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** The model folder, with a trailing slash: file: in Node, http(s): in a browser. */
  readonly url: URL;
  /** The files in the folder, for copying or serving. */
  readonly files: readonly string[];
}

// A variable, not a literal, inside `new URL(…)`: bundlers rewrite `new URL('literal',
// import.meta.url)` into an asset import, which cannot point at a folder.
const STORIES_260K_FOLDER = '../../models/stories260K/';

export const BUILTIN_MODELS: Readonly<Record<string, BuiltinModel>> = {
  'builtin:stories260K': {
    id: 'builtin:stories260K',
    name: 'stories260K',
    description: "Karpathy's llama2.c stories260K (TinyStories), 5 layers, d_model 64, Llama architecture",
    url: new URL(STORIES_260K_FOLDER, import.meta.url),
    files: ['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'],
  },
};

export function builtinModel(id: string): BuiltinModel {
  const model = BUILTIN_MODELS[id];
  if (model === undefined) {
    throw new Error(`unknown built-in model "${id}" (available: ${Object.keys(BUILTIN_MODELS).join(', ')})`);
  }
  return model;
}

/** The folder on disk of a built-in model (Node only: its URL must be a file: URL). */
export function builtinModelFolder(id: string): string {
  const { url } = builtinModel(id);
  if (url.protocol !== 'file:') throw new Error(`built-in model ${id} is at ${url.href}, not in a local folder`);
  const path = decodeURIComponent(url.pathname);
  // file:///C:/x → C:/x on Windows; POSIX paths keep their leading slash.
  return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
}

/** A `ModelSource` for a built-in model: the folder on disk in Node, HTTP range reads elsewhere. */
export async function openBuiltinSource(id: string): Promise<ModelSource> {
  return urlSourceHost.openFolder(builtinModel(id).url, id);
}
