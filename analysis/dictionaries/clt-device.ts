/**
 * A cross-layer transcoder on a backend, for splicing into the forward pass (splice.ts): per
 * source layer i, its features as a transcoder into layer i (a `Dictionary`, so encode, activate
 * and decode are those of every other dictionary) and its decoder rows into each later layer.
 */
import type { Backend, Tensor } from '../../gpu/backend.ts';
import type { CltLayer } from './circuit-tracer.ts';
import type { Dictionary } from './device.ts';
import { dictionaryOnBackend, disposeDictionary } from './device.ts';

export interface CltDeviceLayer {
  readonly dictionary: Dictionary;
  /** Rows into layer `layer` > this one: [d_transcoder, d_model]. */
  readonly later: readonly { readonly layer: number; readonly rows: Tensor }[];
}

export interface CltOnBackend {
  readonly label: string;
  readonly backend: Backend;
  /** Index i: source layer i. */
  readonly layers: readonly CltDeviceLayer[];
}

export function cltOnBackend(layers: readonly CltLayer[], backend: Backend, label: string): CltOnBackend {
  layers.forEach((l, i) => {
    if (!l.dictionary.config.hookOut.startsWith(`blocks.${i}.`)) throw new Error(`${label}: layer ${i} writes ${l.dictionary.config.hookOut}; expected a hook of blocks.${i}`);
  });
  return {
    label,
    backend,
    layers: layers.map((l) => ({
      dictionary: dictionaryOnBackend(l.dictionary, backend),
      later: l.later.map((dec) => ({ layer: dec.layer, rows: backend.uploadWeight(dec.rows) })),
    })),
  };
}

export function disposeClt(clt: CltOnBackend): void {
  for (const l of clt.layers) {
    disposeDictionary(l.dictionary);
    for (const dec of l.later) clt.backend.dispose(dec.rows);
  }
}
