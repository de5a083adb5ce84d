/**
 * Step "path-patching" → analysis/methods/path-patching.ts: the effect of sender heads on
 * receivers (a head's q/k/v input, or the logits) through the residual stream alone, everything
 * else frozen at the corrupted run. With senders "each-head" the result is a [layer, head] grid.
 */
import { z } from 'zod';
import { pathPatching } from '../methods/path-patching.ts';
import { resolvePosition } from '../methods/sequence.ts';
import type { GridView } from './views.ts';
import { rangeLabels } from './views.ts';
import { num, numbers, PositionSchema, PromptRefSchema, promptIds, resolveToken, tokenStrings, TokenRefSchema } from './common.ts';
import { corruptionOf, corruptionRefs, CorruptionSchema } from './corruption.ts';
import { defineMethod } from './define.ts';

const Head = z.strictObject({ layer: z.number().int().nonnegative(), head: z.number().int().nonnegative() });

const Params = z.strictObject({
  clean: PromptRefSchema.default(0),
  corrupted: CorruptionSchema,
  senders: z.union([z.literal('each-head'), z.array(Head).min(1).max(1024)]).default('each-head'),
  receivers: z.union([z.literal('logits'), z.array(Head.extend({ input: z.enum(['q', 'k', 'v']) })).min(1).max(1024)]).default('logits'),
  answer: TokenRefSchema,
  wrong: TokenRefSchema.optional(),
  position: PositionSchema.default(-1),
  recomputeMlps: z.boolean().default(false),
});

type PathPatchingJson = {
  senders: string[];
  receivers: string;
  shape: number[];
  normalized: (number | null)[];
  metric: (number | null)[];
  cleanMetric: number | null;
  corruptedMetric: number | null;
  answer: { id: number; token: string };
  wrong: { id: number; token: string } | null;
  cleanTokens: string[];
};

function grid(r: PathPatchingJson, values: (number | null)[], title: string, zTitle: string): GridView {
  if (r.shape.length === 2) {
    const [L, H] = r.shape;
    return {
      kind: 'grid',
      title,
      x: { title: 'sender head', labels: rangeLabels(H, 'H') },
      y: { title: 'sender layer', labels: rangeLabels(L, 'L') },
      z: Array.from({ length: L }, (_, l) => values.slice(l * H, (l + 1) * H)),
      zTitle,
      signed: true,
    };
  }
  return { kind: 'grid', title, x: { title: 'receivers', labels: [r.receivers] }, y: { title: 'senders', labels: r.senders }, z: values.map((v) => [v]), zTitle, signed: true };
}

export const pathPatchingStep = defineMethod({
  method: 'path-patching',
  title: 'Path patching',
  description: 'Effect of sender heads on receiver heads’ q/k/v inputs or the logits, all else frozen.',
  version: 1,
  params: Params,
  input: 'prompts',
  promptRefs: (p) => [{ field: 'clean', ref: p.clean }, ...corruptionRefs(p.corrupted, 'corrupted')],
  views: { normalized: 'grid', metric: 'grid' },
  defaultFigure: { view: 'normalized', type: 'heatmap' },
  async run(model, p, ctx): Promise<PathPatchingJson> {
    const clean = promptIds(model, ctx, p.clean, 'clean');
    const answer = resolveToken(model, p.answer, 'answer');
    const wrong = p.wrong === undefined ? undefined : resolveToken(model, p.wrong, 'wrong');
    const r = await pathPatching(model, {
      clean,
      corruption: corruptionOf(model, ctx, p.corrupted, 'corrupted'),
      senders: p.senders,
      receivers: p.receivers,
      metric: { answer, wrong },
      position: resolvePosition(p.position, clean.length, 'params.position'),
      recomputeMlps: p.recomputeMlps,
    });
    const token = (id: number) => ({ id, token: tokenStrings(model, [id])[0] });
    return {
      senders: r.senders.map((g) => g.map((h) => `L${h.layer}H${h.head}`).join('+')),
      receivers: p.receivers === 'logits' ? 'logits' : p.receivers.map((h) => `L${h.layer}H${h.head}.${h.input}`).join('+'),
      shape: [...r.shape],
      normalized: numbers(r.normalized),
      metric: numbers(r.metric),
      cleanMetric: num(r.cleanMetric),
      corruptedMetric: num(r.corruptedMetric),
      answer: token(answer),
      wrong: wrong === undefined ? null : token(wrong),
      cleanTokens: tokenStrings(model, clean),
    };
  },
  view(r, name) {
    const what = `path patching → ${r.receivers}`;
    return name === 'metric' ? grid(r, r.metric, `Metric after ${what}`, 'metric') : grid(r, r.normalized, `Normalised metric after ${what}`, 'normalised metric');
  },
});
