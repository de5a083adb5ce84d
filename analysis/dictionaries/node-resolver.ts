/**
 * Dictionary references for Node hosts (the CLI, notebooks run from the command line): a folder
 * path, or `builtin:NAME[/SUBFOLDER]` for the dictionaries that ship in `models/NAME/`.
 */
import { fileURLToPath } from 'node:url';
import { NodeFolderSource } from '../formats/node-source.ts';
import type { Model } from '../model/model.ts';
import { CrossLayerTranscoder, isCrossLayerTranscoder } from './circuit-tracer.ts';
import type { HostDictionary } from './dictionary.ts';
import { openDictionarySet } from './open-set.ts';

/**
 * A MethodInputs.crossLayerTranscoder for Node: the referenced folder opened as a circuit-tracer
 * cross-layer transcoder when its config.yaml says it is one, else null.
 */
export function nodeCltResolver(model: Model, place: (ref: string) => string = (ref) => ref): (ref: string, field: string) => Promise<CrossLayerTranscoder | null> {
  return async (ref, field) => {
    try {
      const source = new NodeFolderSource(dictionaryFolder(place(ref)), ref);
      if (!(await isCrossLayerTranscoder(source))) return null;
      return await CrossLayerTranscoder.open(source, model.spec.nLayers);
    } catch (e) {
      throw new Error(`params.${field}: ${(e as Error).message}`);
    }
  };
}

/** The models/ folder beside the built-in model (Node only). */
const MODELS = fileURLToPath(new URL('../../models/', import.meta.url));

/** The folder a reference names; `builtin:` names must stay inside models/. */
export function dictionaryFolder(ref: string): string {
  if (!ref.startsWith('builtin:')) return ref;
  const name = ref.slice('builtin:'.length);
  if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(name) || name.split('/').some((p) => p === '..' || p === '.')) {
    throw new Error(`${ref}: a built-in dictionary is named builtin:NAME or builtin:NAME/FOLDER`);
  }
  return `${MODELS}${name}`;
}

/**
 * A MethodInputs.dictionaries for Node: opens the referenced folder as a dictionary set for
 * `model`; `place` maps a reference to a path first (e.g. relative to a notebook's folder).
 */
export function nodeDictionaryResolver(model: Model, place: (ref: string) => string = (ref) => ref): (ref: string, field: string) => Promise<HostDictionary[]> {
  return async (ref, field) => {
    try {
      return await openDictionarySet(new NodeFolderSource(dictionaryFolder(place(ref)), ref), model.hookPoints.map((p) => p.name), model.spec.nLayers);
    } catch (e) {
      throw new Error(`params.${field}: ${(e as Error).message}`);
    }
  };
}
