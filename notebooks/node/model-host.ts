/**
 * The CLI's ModelHost: `builtin:<name>`, a folder path or a `.gguf` file (relative paths resolve
 * against the notebook file's folder, so a notebook and its model can be shared together). The
 * identity is the model identity every cache and project uses (analysis/formats/model-identity.ts:
 * config, tokenizer, weight headers and the ends of every tensor), read through the same folder
 * source as the loader, so only regular files are read.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import type { Backend } from '../../gpu/backend.ts';
import { identityKey, modelIdentity } from '../../analysis/formats/model-identity.ts';
import { NodeFolderSource } from '../../analysis/formats/node-source.ts';
import { builtinModelFolder } from '../../analysis/model/builtin.ts';
import { isGgufPath } from '../../analysis/model/gguf-load.ts';
import { loadHostModelAt } from '../../analysis/model/open-path.ts';
import type { Model } from '../../analysis/model/model.ts';
import { modelOnBackend } from '../../analysis/model/model.ts';
import type { ModelHost } from '../runner.ts';
import { nodeCltResolver, nodeDictionaryResolver } from '../../analysis/dictionaries/node-resolver.ts';

export function modelFolder(ref: string, baseDir: string): string {
  if (ref.startsWith('builtin:')) return builtinModelFolder(ref);
  return isAbsolute(ref) ? ref : resolve(baseDir, ref);
}

/** The identity of the model folder (or `.gguf` file) at `path`, as a cache-key string. */
export async function folderIdentity(path: string): Promise<string> {
  if (isGgufPath(path)) return identityKey(await modelIdentity(new NodeFolderSource(dirname(path)), basename(path)));
  try {
    await stat(path);
  } catch (e) {
    throw new Error(`model folder ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return identityKey(await modelIdentity(new NodeFolderSource(path)));
}

export function nodeModelHost(backend: Backend, baseDir: string): ModelHost {
  const place = (ref: string) => (ref.startsWith('builtin:') ? ref : resolve(baseDir, ref));
  return {
    identify: (ref) => folderIdentity(modelFolder(ref, baseDir)),
    async open(ref): Promise<Model> {
      const host = await loadHostModelAt(modelFolder(ref, baseDir), ref);
      return modelOnBackend({ ...host, label: ref }, backend);
    },
    // Dictionary folders resolve like model folders: relative to the notebook's folder.
    dictionaries: (model) => nodeDictionaryResolver(model, place),
    crossLayerTranscoder: (model) => nodeCltResolver(model, place),
  };
}
