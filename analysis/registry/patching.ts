/**
 * Step "activation-patching" → analysis/methods/patching.ts: clean activations patched into the
 * corrupted run (denoising) or the reverse, one slice per cell of a [layer × position (× head)]
 * grid, scored by the normalised metric (1 = clean behaviour restored).
 */
import { z } from 'zod';
import type { PatchHook } from '../methods/patch-cells.ts';
import { PATCH_HOOKS } from '../methods/patch-cells.ts';
import { activationPatching } from '../methods/patching.ts';
import type { FeatureAxes } from './patch-grid.ts';
import { featureAxesJson, patchGrid, patchGridByHead } from './patch-grid.ts';
import { num, numbers, tokenStrings } from './common.ts';
import { defineMethod } from './define.ts';
import { corruptionRefs, PATCH_FLAG_ALIASES } from './corruption.ts';
import { metricJson, PATCH_PARAMS, patchSetup, sweepPasses } from './patch-setup.ts';

const Params = z.strictObject({
  ...PATCH_PARAMS,
  hook: z.enum(PATCH_HOOKS as unknown as [PatchHook, ...PatchHook[]]).default('resid_pre'),
  byPosition: z.boolean().optional(),
  direction: z.enum(['denoising', 'noising']).default('denoising'),
  mode: z.enum(['reuse', 'naive']).default('reuse').describe('naive re-runs the whole model per cell (same numbers, slower).'),
});

export type PatchingJson = {
  hook: string;
  direction: string;
  axes: string[];
  shape: number[];
  /** Row-major over `axes`. */
  normalized: (number | null)[];
  metric: (number | null)[];
  cleanMetric: number | null;
  corruptedMetric: number | null;
  position: number;
  cleanIds: number[];
  corruptedIds: number[];
  cleanTokens: string[];
  corruptedTokens: string[];
  noiseSigma: number | null;
  /** Forward passes that patched (the sweep's cost). */
  patchedCalls: number;
  answer: { id: number; token: string };
  wrong: { id: number; token: string } | null;
  /** hook "features": the dictionaries along the `dictionary` axis and what the last feature column patches. */
  features?: FeatureAxes;
};

export const patchingStep = defineMethod({
  method: 'activation-patching',
  title: 'Activation patching',
  description: 'Patch clean activations into a corrupted run (or back) per layer, position and head.',
  version: 3,
  params: Params,
  input: 'prompts',
  promptRefs: (p) => [{ field: 'clean', ref: p.clean }, ...corruptionRefs(p.corrupted, 'corrupted')],
  cli: { aliases: ['patch'], flagAliases: { ...PATCH_FLAG_ALIASES, noising: 'direction=noising', naive: 'mode=naive' } },
  views: { normalized: 'grid', metric: 'grid', 'normalized-by-head': 'grid', 'metric-by-head': 'grid' },
  defaultFigure: { view: 'normalized', type: 'heatmap' },
  async run(model, p, ctx): Promise<PatchingJson> {
    const byPosition = p.byPosition ?? p.hook !== 'pattern';
    const setup = await patchSetup(model, ctx, p, { plan: ctx.plan, after: (s) => sweepPasses(model, s, p.hook, byPosition, p.mode) });
    const r = await activationPatching(model, {
      clean: setup.clean,
      corruption: setup.corruption,
      hook: p.hook,
      byPosition: p.byPosition,
      metric: setup.metric,
      position: setup.position,
      direction: p.direction,
      mode: p.mode,
      // Once the sweep knows which cells it skips: the passes it still makes (exact from here on).
      onPlanned: (passes) => ctx.plan(passes),
    });
    return {
      hook: r.hook,
      direction: r.direction,
      axes: [...r.axes],
      shape: [...r.shape],
      normalized: numbers(r.normalized),
      metric: numbers(r.metric),
      cleanMetric: num(r.cleanMetric),
      corruptedMetric: num(r.corruptedMetric),
      position: r.position,
      cleanIds: setup.clean,
      corruptedIds: [...r.corruptedIds],
      cleanTokens: tokenStrings(model, setup.clean),
      corruptedTokens: tokenStrings(model, r.corruptedIds),
      noiseSigma: r.noiseSigma === null ? null : num(r.noiseSigma),
      patchedCalls: r.patchedCalls,
      ...metricJson(model, setup.metric),
      ...featureAxesJson(r.features),
    };
  },
  view(r, name) {
    const what = `${r.direction} patching of ${r.hook}`;
    // By head: a [layer, pos, head] sweep condensed to layer × head (other sweeps as they are).
    const grid = name.endsWith('-by-head') ? patchGridByHead : patchGrid;
    return name.startsWith('metric')
      ? grid(r, r.metric, `Metric after ${what}`, 'metric')
      : grid(r, r.normalized, `Normalised metric after ${what} (1 = clean restored)`, 'normalised metric');
  },
});
