/**
 * Patching over dictionary features: the grid of the `features` sweep, from the dictionaries
 * attached to the model (analysis/dictionaries/attach.ts). One cell patches one feature's
 * activation (`<hook>.hook_sae_acts_post`, one index of its last axis) or, in the last column
 * (index d_sae), the dictionary's whole error term (`<hook>.hook_sae_error`): axes
 * [dictionary, feature] (all positions at once) or [dictionary, pos, feature]. With the error
 * term spliced, the unpatched model is the model itself, so each cell is the effect of that
 * feature alone; patching every feature and the error restores the source run exactly.
 */
import { dictionaryHook } from '../dictionaries/dictionary.ts';
import type { Model } from '../model/model.ts';
import type { PatchCell, PatchGrid, PatchHook } from './patch-cells.ts';
import { sweepGrid } from './patch-cells.ts';

export interface FeatureGrid extends PatchGrid {
  /** The output hook of each dictionary along the `dictionary` axis. */
  readonly dictionaries: readonly string[];
  /** What the last column (feature index d_sae) patches: the error term, or (without it) the whole reconstruction. */
  readonly lastColumn: 'error' | 'recons';
}

/** The sweep's grid: `sweepGrid` for model hooks, the features of the attached dictionaries for `features`. */
export function patchGridOf(model: Model, which: PatchHook, byPosition: boolean, nPos: number): PatchGrid & Partial<Pick<FeatureGrid, 'dictionaries' | 'lastColumn'>> {
  return which === 'features' ? featureGrid(model, byPosition, nPos) : sweepGrid(model.spec, which, byPosition, nPos);
}

export function featureGrid(model: Model, byPosition: boolean, nPos: number): FeatureGrid {
  const uses = model.dictionaries ?? [];
  const spliced = uses.filter((u) => u.splice !== false);
  if (spliced.length === 0) {
    throw new Error(`hook features: patching feature activations needs dictionaries spliced into the model (params.dictionaries${uses.length ? ' with dictionarySplice with-error or without-error: a dictionary that is not spliced changes nothing' : ''})`);
  }
  const layerOf = new Map(model.hookPoints.map((p) => [p.name, p.layer]));
  const order = new Map(model.hookPoints.map((p, i) => [p.name, i]));
  const sorted = [...spliced].sort((a, b) => order.get(a.dictionary.config.hookOut)! - order.get(b.dictionary.config.hookOut)!);
  const dSae = sorted[0].dictionary.config.dSae;
  const other = sorted.find((u) => u.dictionary.config.dSae !== dSae || u.errorTerm !== sorted[0].errorTerm);
  if (other) throw new Error(`hook features: the attached dictionaries differ in width or error term (${sorted[0].dictionary.config.label}: ${dSae}, ${other.dictionary.config.label}: ${other.dictionary.config.dSae}); patch one at a time`);
  const cells: PatchCell[] = [];
  for (const use of sorted) {
    const out = use.dictionary.config.hookOut;
    const layer = layerOf.get(out)!;
    const positions = byPosition ? Array.from({ length: nPos }, (_, p) => p) : [undefined];
    for (const pos of positions) {
      for (let f = 0; f < dSae; f++) cells.push({ layer, pos, hook: dictionaryHook.actsPost(out), feature: f });
      cells.push({ layer, pos, hook: use.errorTerm === true ? dictionaryHook.error(out) : dictionaryHook.recons(out) });
    }
  }
  const axes = byPosition ? (['dictionary', 'pos', 'feature'] as const) : (['dictionary', 'feature'] as const);
  const shape = byPosition ? [sorted.length, nPos, dSae + 1] : [sorted.length, dSae + 1];
  return { axes, shape, cells, dictionaries: sorted.map((u) => u.dictionary.config.hookOut), lastColumn: sorted[0].errorTerm === true ? 'error' : 'recons' };
}
