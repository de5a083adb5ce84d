/**
 * Loads a model named by a file-system path (Node): a Hugging Face folder, or a `.gguf` file.
 * The CLI and the notebook runner open `--model` / a notebook's model reference through this.
 */
import { basename, dirname } from 'node:path';
import { NodeFolderSource } from '../formats/node-source.ts';
import { isGgufPath, loadGgufHostModel } from './gguf-load.ts';
import { loadHostModel, type HostModel } from './load.ts';

export async function loadHostModelAt(path: string, label?: string): Promise<HostModel> {
  if (isGgufPath(path)) return loadGgufHostModel(new NodeFolderSource(dirname(path), label ?? path), basename(path));
  return loadHostModel(new NodeFolderSource(path, label));
}
