/**
 * The open model as a project's model reference: its name and content hash (storage/model-hash.ts).
 * The built-in model is hashed over HTTP range reads, once per session; a folder opened by the
 * user is referenced by name only until the model state exposes its source to the page
 * (the worker holds it), and such a reference simply yields no mismatch warnings.
 */
import { useEffect, useState } from 'react';
import { HttpSource } from '../../analysis/formats/http-source.ts';
import type { ModelSource } from '../../analysis/formats/source.ts';
import { builtinSource, BUILTIN_MODEL } from '../app/builtin.ts';
import { useModel } from '../app/model-state.tsx';
import { modelReference } from '../storage/model-hash.ts';
import type { ModelReference } from '../storage/records.ts';

const cache = new Map<string, Promise<ModelReference>>();

/**
 * The built-in model's files are known from the build; asking the server about any other file
 * (model.safetensors.index.json) would only produce a 404, which browsers log as an error.
 */
function listedSource(source: ModelSource, files: readonly string[]): ModelSource {
  return { label: source.label, has: async (file) => files.includes(file), size: (f) => source.size(f), read: (f, a, b) => source.read(f, a, b) };
}

function referenceFor(label: string): Promise<ModelReference> {
  let pending = cache.get(label);
  if (!pending) {
    const name = label.replace(/^builtin:/, '');
    const builtin = builtinSource();
    pending =
      label === `builtin:${BUILTIN_MODEL}` && builtin.kind === 'builtin'
        ? modelReference(listedSource(new HttpSource(builtin.url, { label }), builtin.files), name).catch(() => ({ name, hash: null }))
        : Promise.resolve({ name, hash: null });
    cache.set(label, pending);
  }
  return pending;
}

/** The reference of the model in use, or null while none is open (or it is being hashed). */
export function useModelReference(): ModelReference | null {
  const label = useModel().card?.label ?? null;
  const [reference, setReference] = useState<{ label: string; value: ModelReference } | null>(null);
  useEffect(() => {
    if (label === null) return;
    let live = true;
    void referenceFor(label).then((value) => live && setReference({ label, value }));
    return () => {
      live = false;
    };
  }, [label]);
  return reference !== null && reference.label === label ? reference.value : null;
}
