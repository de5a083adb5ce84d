/**
 * Step "head-ablation" → analysis/methods/ablation-sweep.ts: every head ablated alone (zero,
 * mean, resample or uniform); metric, loss and KL per head beside its DLA, with the ablation's
 * direct effect and self-repair.
 */
import { z } from 'zod';
import { ablationBatch, headAblationSweep } from '../methods/ablation-sweep.ts';
import { num, PositionSchema, PromptRefSchema, promptIds, resolveToken, tokenStrings, TokenRefSchema } from './common.ts';
import type { PromptRef, PromptRefUse } from './contract.ts';
import { defineMethod } from './define.ts';
import type { HeadGrid } from './grids.ts';
import { headGrid, headGridView } from './grids.ts';

const Params = z
  .strictObject({
    prompt: PromptRefSchema.default(0),
    mode: z.enum(['zero', 'mean', 'resample', 'uniform']).default('zero'),
    position: PositionSchema.default(-1).describe('Position whose logits the metric reads; negative counts from the end (−1 = last).'),
    answer: TokenRefSchema.optional(),
    wrong: TokenRefSchema.optional(),
    layers: z.array(z.number().int().nonnegative()).min(1).max(1024).optional(),
    resampleFrom: PromptRefSchema.optional().describe('mode "resample": the prompt (same token length) whose hook_z replaces each head\'s.'),
    reference: z.array(PromptRefSchema).min(1).max(256).optional().describe('mode "mean": prompts to average over instead of the prompt\'s own positions.'),
  })
  .refine((p) => p.mode !== 'resample' || p.resampleFrom !== undefined, { message: 'mode "resample" needs "resampleFrom" (a prompt of the same token length)', path: ['resampleFrom'] });

const GRIDS = {
  'total-effect': ['totalEffect', 'Ablation effect on the metric (ablated − clean)', 'Δ metric', true],
  'direct-effect': ['directEffect', 'Direct effect of the ablation (through the head’s own path)', 'Δ metric', true],
  'self-repair': ['selfRepair', 'Self-repair (total − direct effect)', 'Δ metric', true],
  dla: ['dla', 'Direct logit attribution on the clean run', 'contribution', true],
  metric: ['metric', 'Metric with the head ablated', 'metric', true],
  loss: ['loss', 'Loss with the head ablated', 'loss', false],
  kl: ['kl', 'KL(clean ‖ ablated) at the position', 'KL (nats)', false],
} as const;

type Grids = { [K in (typeof GRIDS)[keyof typeof GRIDS][0]]: HeadGrid };
export type AblationJson = Grids & {
  tokens: string[];
  position: number;
  mode: string;
  answer: { id: number; token: string };
  wrong: { id: number; token: string } | null;
  layers: number[];
  clean: { metric: number | null; loss: number | null };
};

/** The prompts an ablation reads: its own, the resample source and the mean's reference prompts. */
export function ablationPromptRefs(p: { prompt: PromptRef; resampleFrom?: PromptRef; reference?: PromptRef[] }): PromptRefUse[] {
  return [
    { field: 'prompt', ref: p.prompt },
    ...(p.resampleFrom === undefined ? [] : [{ field: 'resampleFrom', ref: p.resampleFrom }]),
    ...(p.reference ?? []).map((ref, i) => ({ field: `reference[${i}]`, ref })),
  ];
}

export const headAblationStep = defineMethod({
  method: 'head-ablation',
  title: 'Head ablation sweep',
  description: 'Ablate each head alone; metric, loss and KL per head beside DLA and self-repair.',
  version: 2,
  params: Params,
  input: 'prompts',
  promptRefs: ablationPromptRefs,
  cli: { flagAliases: { pos: 'position', 'resample-ids': 'resample-from-ids' } },
  views: Object.fromEntries(Object.keys(GRIDS).map((k) => [k, 'grid' as const])),
  defaultFigure: { view: 'total-effect', type: 'heatmap' },
  async run(model, p, ctx): Promise<AblationJson> {
    const ids = promptIds(model, ctx, p.prompt, 'prompt');
    // The clean run, the run ablated activations come from (resample, mean over reference prompts) and one pass per batch of heads.
    const { nLayers, nHeads, dVocab } = model.spec;
    const source = p.mode === 'resample' || (p.mode === 'mean' && p.reference !== undefined) ? 1 : 0;
    ctx.plan(1 + source + Math.ceil(((p.layers?.length ?? nLayers) * nHeads) / ablationBatch(ids.length, dVocab)));
    const r = await headAblationSweep(model, { ids }, {
      mode: p.mode,
      pos: p.position,
      answer: p.answer === undefined ? undefined : resolveToken(model, p.answer, 'answer'),
      wrong: p.wrong === undefined ? undefined : resolveToken(model, p.wrong, 'wrong'),
      layers: p.layers,
      resampleFrom: p.resampleFrom === undefined ? undefined : { ids: promptIds(model, ctx, p.resampleFrom, 'resampleFrom') },
      reference: p.reference === undefined ? undefined : { ids: p.reference.map((ref, i) => promptIds(model, ctx, ref, `reference[${i}]`)) },
    });
    const token = (id: number) => ({ id, token: tokenStrings(model, [id])[0] });
    const grids = Object.fromEntries(Object.values(GRIDS).map(([key]) => [key, headGrid(r[key])])) as Grids;
    return {
      ...grids,
      tokens: tokenStrings(model, ids),
      position: r.pos,
      mode: r.mode,
      answer: token(r.answer),
      wrong: r.wrong === null ? null : token(r.wrong),
      layers: r.layers,
      clean: { metric: num(r.clean.metric), loss: r.clean.loss === null ? null : num(r.clean.loss) },
    };
  },
  view(r, name) {
    const [key, title, zTitle, signed] = GRIDS[name as keyof typeof GRIDS];
    return headGridView(`${title} — ${r.mode} ablation`, r[key], zTitle, signed, r.layers);
  },
});
