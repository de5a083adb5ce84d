/**
 * A fixture dictionary cut to its first n features: still a valid dictionary of its architecture
 * (ReLU / JumpReLU; not TopK, whose k would then cover everything), small enough that a test can
 * sweep every feature quickly.
 */
import type { HostWeight } from '../gpu/backend.ts';
import type { HostDictionary } from '../analysis/dictionaries/dictionary.ts';

export function firstFeatures(h: HostDictionary, n: number): HostDictionary {
  const rows = (w: HostWeight): HostWeight => {
    if (!(w.data instanceof Float32Array)) throw new Error(`fixture tensor ${w.name} is not F32`);
    const width = w.shape.length === 2 ? w.shape[1] : 1;
    return { ...w, shape: w.shape.length === 2 ? [n, width] : [n], data: w.data.slice(0, n * width) };
  };
  const { weights } = h;
  return {
    config: { ...h.config, dSae: n },
    weights: { ...weights, encoder: rows(weights.encoder), bEnc: rows(weights.bEnc), decoder: rows(weights.decoder), threshold: weights.threshold && rows(weights.threshold) },
  };
}
