/**
 * Step "activation-patching" → analysis/methods/patching.ts: clean activations patched into the
 * corrupted run (denoising) or the reverse, one slice per cell of a [layer × position (× head)]
 * grid, scored by the normalised metric (1 = clean behaviour restored).
 */
import { z } from 'zod';
import type { PatchHook } from '../methods/patch-cells.ts';
import { PATCH_HOOKS } from '../methods/patch-cells.ts';
import { activationPatching } from '../methods/patching.ts';
import { patchGrid } from './patch-grid.ts';
import { num, numbers, PositionSchema, PromptRefSchema, promptIds, resolveToken, tokenStrings, TokenRefSchema } from './common.ts';
import { defineMethod } from './define.ts';
import { corruptionOf, corruptionRefs, CorruptionSchema } from './corruption.ts';
import { resolvePosition } from '../methods/sequence.ts';

const Params = z.strictObject({
  clean: PromptRefSchema.default(0),
  corrupted: CorruptionSchema,
  hook: z.enum(PATCH_HOOKS as unknown as [PatchHook, ...PatchHook[]]).default('resid_pre'),
  byPosition: z.boolean().optional(),
  answer: TokenRefSchema,
  wrong: TokenRefSchema.optional(),
  position: PositionSchema.default(-1).describe('Position whose logits the metric reads (default the last).'),
  direction: z.enum(['denoising', 'noising']).default('denoising'),
});

type PatchingJson = {
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
  cleanTokens: string[];
  corruptedTokens: string[];
  noiseSigma: number | null;
  answer: { id: number; token: string };
  wrong: { id: number; token: string } | null;
};

export const patchingStep = defineMethod({
  method: 'activation-patching',
  title: 'Activation patching',
  description: 'Patch clean activations into a corrupted run (or back) per layer, position and head.',
  version: 1,
  params: Params,
  input: 'prompts',
  promptRefs: (p) => [{ field: 'clean', ref: p.clean }, ...corruptionRefs(p.corrupted, 'corrupted')],
  views: { normalized: 'grid', metric: 'grid' },
  defaultFigure: { view: 'normalized', type: 'heatmap' },
  async run(model, p, ctx): Promise<PatchingJson> {
    const clean = promptIds(model, ctx, p.clean, 'clean');
    const corruption = corruptionOf(model, ctx, p.corrupted, 'corrupted');
    const answer = resolveToken(model, p.answer, 'answer');
    const wrong = p.wrong === undefined ? undefined : resolveToken(model, p.wrong, 'wrong');
    const r = await activationPatching(model, {
      clean,
      corruption,
      hook: p.hook,
      byPosition: p.byPosition,
      metric: { answer, wrong },
      position: resolvePosition(p.position, clean.length, 'params.position'),
      direction: p.direction,
    });
    const token = (id: number) => ({ id, token: tokenStrings(model, [id])[0] });
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
      cleanTokens: tokenStrings(model, clean),
      corruptedTokens: tokenStrings(model, r.corruptedIds),
      noiseSigma: r.noiseSigma === null ? null : num(r.noiseSigma),
      answer: token(answer),
      wrong: wrong === undefined ? null : token(wrong),
    };
  },
  view(r, name) {
    const what = `${r.direction} patching of ${r.hook}`;
    return name === 'metric'
      ? patchGrid(r, r.metric, `Metric after ${what}`, 'metric')
      : patchGrid(r, r.normalized, `Normalised metric after ${what} (1 = clean restored)`, 'normalised metric');
  },
});
