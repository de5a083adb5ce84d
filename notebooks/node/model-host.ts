/**
 * The CLI's ModelHost: `builtin:<name>`, a folder path or a `.gguf` file (relative paths resolve
 * against the notebook file's folder, so a notebook and its model can be shared together). The
 * identity is a SHA-256 over the folder's model files (or the GGUF file), so a cache entry can
 * never outlive a changed weight.
 */
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Backend } from '../../gpu/backend.ts';
import { builtinModelFolder } from '../../analysis/model/builtin.ts';
import { isGgufPath } from '../../analysis/model/gguf-load.ts';
import { loadHostModelAt } from '../../analysis/model/open-path.ts';
import type { Model } from '../../analysis/model/model.ts';
import { modelOnBackend } from '../../analysis/model/model.ts';
import type { ModelHost } from '../runner.ts';
import { nodeCltResolver, nodeDictionaryResolver } from '../../analysis/dictionaries/node-resolver.ts';

/** Files that define a model's numbers; everything else in the folder (README, …) is ignored. */
const MODEL_FILE = /^(config\.json|generation_config\.json|tokenizer\.json|tokenizer_config\.json|.*\.safetensors|model\.safetensors\.index\.json)$/;

export function modelFolder(ref: string, baseDir: string): string {
  if (ref.startsWith('builtin:')) return builtinModelFolder(ref);
  return isAbsolute(ref) ? ref : resolve(baseDir, ref);
}

/** SHA-256 over the bytes of one GGUF file (weights, hyperparameters and tokenizer are all in it). */
async function ggufIdentity(path: string): Promise<string> {
  const hash = createHash('sha256');
  await hashRegularFile(hash, dirname(path), basename(path));
  return `sha256:${hash.digest('hex')}`;
}

/** SHA-256 over (name, length, bytes) of every model file, in name order. */
export async function folderIdentity(folder: string): Promise<string> {
  if (isGgufPath(folder)) return ggufIdentity(folder);
  let names: string[];
  try {
    names = (await readdir(folder)).filter((n) => MODEL_FILE.test(n)).sort();
  } catch (e) {
    throw new Error(`model folder ${folder} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!names.includes('config.json')) throw new Error(`model folder ${folder} has no config.json`);
  const hash = createHash('sha256');
  for (const name of names) {
    hash.update(`${name}\0`);
    await hashRegularFile(hash, folder, name);
    hash.update('\0');
  }
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Feeds one model file to the hash. Only regular files: a FIFO would block forever and a link to
 * /dev/zero never ends. Opened with O_NONBLOCK and checked on the open handle, so a file swapped
 * for a FIFO after listing cannot block either.
 */
async function hashRegularFile(hash: Hash, folder: string, name: string): Promise<void> {
  const handle = await open(join(folder, name), constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) throw new Error(`model folder ${folder}: ${name} is not a regular file (a FIFO, device or folder); refusing to read it`);
    for await (const chunk of handle.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
  } finally {
    await handle.close();
  }
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
