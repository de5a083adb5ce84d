/**
 * ObsProp against dictionary features: for a dictionary attached to the model whose output is a
 * residual-width activation, each feature's decoder row W_dec[f] is the direction it writes, and
 * the observable's direct-path feature on the residual stream is y = (γ ⊙ W_Uᵀ n)/s (the final
 * norm frozen at ObsProp's scale, centred for LayerNorm; obsprop-features.ts). So
 *
 *   weight[f] = W_dec[f] · y      the observable's change per unit of feature f written there, directly
 *   cosine[f] = cos(W_dec[f], y)   how aligned the feature's direction is with the observable
 *
 * both data-free (the observable's "logit weights" of the feature); with a prompt, also the
 * feature's activation at the position and activation · weight (its direct contribution, DLA's
 * split for a logit difference).
 */
import type { ActivationCache } from '../hooks/interventions.ts';
import { dictionaryHook } from '../dictionaries/dictionary.ts';
import type { DictionaryUse } from '../dictionaries/splice.ts';
import { splitsResidual } from '../dictionaries/feature-attribution.ts';
import type { Model } from '../model/model.ts';
import { cosineSimilarity, dot, normPullback } from './obsprop-features.ts';

export interface ObservableFeature {
  readonly feature: number;
  readonly weight: number;
  readonly cosine: number;
  /** At the prompt's position (null without a prompt). */
  readonly activation: number | null;
  readonly contribution: number | null;
}

export interface DictionaryObservable {
  readonly hook: string;
  /** The features of largest |weight|, largest first. */
  readonly top: ObservableFeature[];
}

/** The attached dictionaries ObsProp scores (spliced or observed, one residual-width vector per position). */
export function scoredDictionaries(model: Model): DictionaryUse[] {
  return (model.dictionaries ?? []).filter((u) => splitsResidual(u.dictionary, model.spec.dModel));
}

/** The stages to capture on the prompt's run for the activations. */
export function observableCaptures(model: Model): string[] {
  return scoredDictionaries(model).map((u) => dictionaryHook.actsPost(u.dictionary.config.hookOut));
}

export async function dictionaryObservables(
  model: Model,
  unembed: Float64Array,
  finalScale: number,
  top: number,
  prompt: { readonly cache: ActivationCache; readonly pos: number } | null,
): Promise<DictionaryObservable[]> {
  const y = await normPullback(model, unembed, 'final', finalScale);
  const out: DictionaryObservable[] = [];
  for (const use of scoredDictionaries(model)) {
    const dict = use.dictionary;
    const { dSae, dOut, hookOut } = dict.config;
    const [decoder] = await dict.backend.read([dict.weights.decoder]);
    const acts = prompt ? prompt.cache[dictionaryHook.actsPost(hookOut)]?.data.subarray(prompt.pos * dSae, (prompt.pos + 1) * dSae) : undefined;
    const features = Array.from({ length: dSae }, (_, f): ObservableFeature => {
      const row = decoder.subarray(f * dOut, (f + 1) * dOut);
      const weight = dot(row, y);
      const activation = acts ? acts[f] : null;
      return { feature: f, weight, cosine: cosineSimilarity(row, y), activation, contribution: activation === null ? null : activation * weight };
    });
    features.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
    out.push({ hook: hookOut, top: features.slice(0, top) });
  }
  return out;
}
