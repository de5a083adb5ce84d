/**
 * Step "attribution-patching" → analysis/methods/attribution-patching.ts: the first-order estimate
 * of a patching sweep from one backward pass, beside exact patching and their correlation.
 */
import { z } from 'zod';
import { attributionPatching } from '../methods/attribution-patching.ts';
import type { PatchHook } from '../methods/patch-cells.ts';
import { PATCH_HOOKS } from '../methods/patch-cells.ts';
import { resolvePosition } from '../methods/sequence.ts';
import { num, numbers, PositionSchema, PromptRefSchema, promptIds, resolveToken, tokenStrings, TokenRefSchema } from './common.ts';
import { corruptionOf, corruptionRefs, CorruptionSchema } from './corruption.ts';
import { defineMethod } from './define.ts';
import { patchCellLabels, patchGrid } from './patch-grid.ts';

const Params = z.strictObject({
  clean: PromptRefSchema.default(0),
  corrupted: CorruptionSchema,
  hook: z.enum(PATCH_HOOKS as unknown as [PatchHook, ...PatchHook[]]).default('resid_pre'),
  byPosition: z.boolean().optional(),
  answer: TokenRefSchema,
  wrong: TokenRefSchema.optional(),
  position: PositionSchema.default(-1),
  exact: z.boolean().default(true).describe('Also run exact patching to compare (default true).'),
});

type AttributionJson = {
  hook: string;
  axes: string[];
  shape: number[];
  /** Row-major over `axes`: predicted M_patched − M_corrupt. */
  attribution: (number | null)[];
  exact: (number | null)[] | null;
  pearson: number | null;
  cleanMetric: number | null;
  corruptedMetric: number | null;
  cleanTokens: string[];
  corruptedTokens: string[];
};

export const attributionPatchingStep = defineMethod({
  method: 'attribution-patching',
  title: 'Attribution patching',
  description: 'First-order estimate of a patching sweep from one backward pass, beside exact patching.',
  version: 1,
  params: Params,
  input: 'prompts',
  promptRefs: (p) => [{ field: 'clean', ref: p.clean }, ...corruptionRefs(p.corrupted, 'corrupted')],
  views: { attribution: 'grid', exact: 'grid', comparison: 'series' },
  defaultFigure: { view: 'attribution', type: 'heatmap' },
  async run(model, p, ctx): Promise<AttributionJson> {
    const clean = promptIds(model, ctx, p.clean, 'clean');
    const r = await attributionPatching(model, {
      clean,
      corruption: corruptionOf(model, ctx, p.corrupted, 'corrupted'),
      hook: p.hook,
      byPosition: p.byPosition,
      answer: resolveToken(model, p.answer, 'answer'),
      wrong: p.wrong === undefined ? undefined : resolveToken(model, p.wrong, 'wrong'),
      position: resolvePosition(p.position, clean.length, 'params.position'),
      exact: p.exact,
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
      cleanTokens: tokenStrings(model, clean),
      corruptedTokens: tokenStrings(model, r.corruptedIds),
    };
  },
  view(r, name) {
    const exact = r.exact ?? r.attribution.map(() => null);
    if (name === 'attribution') return patchGrid(r, r.attribution, `Attribution patching of ${r.hook} (predicted Δ metric)`, 'Δ metric');
    if (name === 'exact') return patchGrid(r, exact, `Exact patching of ${r.hook} (Δ metric)`, 'Δ metric');
    return {
      kind: 'series',
      title: `Attribution vs exact patching of ${r.hook}${r.pearson === null ? '' : ` (Pearson r = ${r.pearson.toFixed(3)})`}`,
      x: { title: 'cell', labels: patchCellLabels(r) },
      yTitle: 'Δ metric',
      traces: [
        { name: 'attribution', values: r.attribution },
        { name: 'exact', values: exact },
      ],
    };
  },
});
