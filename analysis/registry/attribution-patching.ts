/**
 * Step "attribution-patching" → analysis/methods/attribution-patching.ts: the first-order estimate
 * of a patching sweep from one backward pass, beside exact patching and their correlation.
 */
import { z } from 'zod';
import { attributionPatching } from '../methods/attribution-patching.ts';
import type { PatchHook } from '../methods/patch-cells.ts';
import { PATCH_HOOKS } from '../methods/patch-cells.ts';
import type { TokenJson } from './common.ts';
import { num, numbers, tokenStrings } from './common.ts';
import { corruptionRefs, PATCH_FLAG_ALIASES } from './corruption.ts';
import { corruptionPasses, metricJson, PATCH_PARAMS, patchSetup, sweepPasses } from './patch-setup.ts';
import { defineMethod } from './define.ts';
import type { FeatureAxes } from './patch-grid.ts';
import { featureAxesJson, patchCellLabels, patchGrid, patchGridByHead, symmetricRange } from './patch-grid.ts';

const Params = z.strictObject({
  ...PATCH_PARAMS,
  hook: z.enum(PATCH_HOOKS as unknown as [PatchHook, ...PatchHook[]]).default('resid_pre'),
  byPosition: z.boolean().optional().describe('Patch one position at a time (default: yes, except for pattern).'),
  exact: z.boolean().default(true).describe('Also run exact patching to compare (default true).'),
});

export type AttributionJson = {
  hook: string;
  axes: string[];
  shape: number[];
  /** Row-major over `axes`: predicted M_patched − M_corrupt. */
  attribution: (number | null)[];
  exact: (number | null)[] | null;
  pearson: number | null;
  cleanMetric: number | null;
  corruptedMetric: number | null;
  position: number;
  cleanIds: number[];
  corruptedIds: number[];
  cleanTokens: string[];
  corruptedTokens: string[];
  answer: TokenJson;
  wrong: TokenJson | null;
  /** hook "features": as activation patching's. */
  features?: FeatureAxes;
};

export const attributionPatchingStep = defineMethod({
  method: 'attribution-patching',
  title: 'Attribution patching',
  description: 'First-order estimate of a patching sweep from one backward pass, beside exact patching.',
  version: 3,
  params: Params,
  input: 'prompts',
  promptRefs: (p) => [{ field: 'clean', ref: p.clean }, ...corruptionRefs(p.corrupted, 'corrupted')],
  cli: { aliases: ['attrib'], flagAliases: PATCH_FLAG_ALIASES },
  views: { attribution: 'grid', exact: 'grid', comparison: 'scatter', 'attribution-by-head': 'grid', 'exact-by-head': 'grid' },
  defaultFigure: { view: 'attribution', type: 'heatmap' },
  async run(model, p, ctx): Promise<AttributionJson> {
    const setup = await patchSetup(model, ctx, p, {
      plan: ctx.plan,
      // The corruption's passes, the clean run, the corrupted run's logits (the metric's seed), its
      // gradients and its activations, then the exact sweep when asked.
      after: (s) => corruptionPasses(s.corruption) + 4 + (p.exact ? sweepPasses(model, s, p.hook, p.byPosition ?? p.hook !== 'pattern', 'reuse') : 0),
    });
    const r = await attributionPatching(model, {
      clean: setup.clean,
      corruption: setup.corruption,
      hook: p.hook,
      byPosition: p.byPosition,
      answer: setup.metric.answer,
      wrong: setup.metric.wrong,
      position: setup.position,
      exact: p.exact,
      onPlanned: (passes) => ctx.plan(passes),
    });
    return {
      hook: r.hook,
      axes: [...r.axes],
      shape: [...r.shape],
      attribution: numbers(r.attribution),
      exact: r.exact ? numbers(r.exact) : null,
      pearson: r.pearson === null ? null : num(r.pearson),
      cleanMetric: num(r.cleanMetric),
      corruptedMetric: num(r.corruptedMetric),
      position: setup.position,
      cleanIds: setup.clean,
      corruptedIds: [...r.corruptedIds],
      cleanTokens: tokenStrings(model, setup.clean),
      corruptedTokens: tokenStrings(model, r.corruptedIds),
      ...metricJson(model, setup.metric),
      ...featureAxesJson(r.features),
    };
  },
  view(r, name) {
    const exact = r.exact ?? r.attribution.map(() => null);
    // The estimate and the exact values on one colour scale, so their cells compare by colour.
    const range = symmetricRange(r.attribution, exact);
    if (name === 'attribution') return { ...patchGrid(r, r.attribution, `Attribution patching of ${r.hook} (predicted Δ metric)`, 'Δ metric'), range };
    if (name === 'exact') return { ...patchGrid(r, exact, `Exact patching of ${r.hook} (Δ metric)`, 'Δ metric'), range };
    if (name === 'attribution-by-head') return patchGridByHead(r, r.attribution, `Attribution patching of ${r.hook} (predicted Δ metric)`, 'Δ metric', range);
    if (name === 'exact-by-head') return patchGridByHead(r, exact, `Exact patching of ${r.hook} (Δ metric)`, 'Δ metric', range);
    return {
      kind: 'scatter',
      title: `Attribution vs exact patching of ${r.hook}${r.pearson === null ? '' : ` (Pearson r = ${r.pearson.toFixed(3)})`}`,
      points: { title: 'cell', labels: patchCellLabels(r) },
      x: { title: 'exact Δ metric', values: exact },
      y: { title: 'attribution (predicted Δ metric)', values: r.attribution },
    };
  },
});
