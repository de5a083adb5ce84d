/**
 * Step "path-patching" → analysis/methods/path-patching.ts: the effect of sender heads on
 * receivers (a head's q/k/v input, or the logits) through the residual stream alone, everything
 * else frozen at the corrupted run. With senders "each-head" the result is a [layer, head] grid.
 */
import { z } from 'zod';
import { pathPatching } from '../methods/path-patching.ts';
import type { GridView } from './views.ts';
import { rangeLabels } from './views.ts';
import type { TokenJson } from './common.ts';
import { num, numbers, tokenStrings } from './common.ts';
import { corruptionRefs, PATCH_FLAG_ALIASES } from './corruption.ts';
import { metricJson, PATCH_PARAMS, patchSetup } from './patch-setup.ts';
import { defineMethod } from './define.ts';

const Head = z.strictObject({ layer: z.number().int().nonnegative(), head: z.number().int().nonnegative() });

const Params = z.strictObject({
  ...PATCH_PARAMS,
  senders: z.union([z.literal('each-head'), z.array(Head).min(1).max(1024)]).default('each-head'),
  receivers: z.union([z.literal('logits'), z.array(Head.extend({ input: z.enum(['q', 'k', 'v']) })).min(1).max(1024)]).default('logits'),
  recomputeMlps: z.boolean().default(false),
});

export type PathPatchingJson = {
  senders: string[];
  receivers: string;
  shape: number[];
  normalized: (number | null)[];
  metric: (number | null)[];
  cleanMetric: number | null;
  corruptedMetric: number | null;
  answer: TokenJson;
  wrong: TokenJson | null;
  position: number;
  cleanIds: number[];
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
  version: 2,
  params: Params,
  input: 'prompts',
  promptRefs: (p) => [{ field: 'clean', ref: p.clean }, ...corruptionRefs(p.corrupted, 'corrupted')],
  cli: { flagAliases: PATCH_FLAG_ALIASES },
  views: { normalized: 'grid', metric: 'grid' },
  defaultFigure: { view: 'normalized', type: 'heatmap' },
  async run(model, p, ctx): Promise<PathPatchingJson> {
    const setup = await patchSetup(model, ctx, p);
    const { nLayers, nHeads } = model.spec;
    const groups = p.senders === 'each-head' ? nLayers * nHeads : 1;
    // Clean and corrupted runs, then per sender group one frozen pass, and one more when receivers are heads.
    ctx.plan(3 + groups * (p.receivers === 'logits' ? 1 : 2));
    const r = await pathPatching(model, {
      clean: setup.clean,
      corruption: setup.corruption,
      senders: p.senders,
      receivers: p.receivers,
      metric: setup.metric,
      position: setup.position,
      recomputeMlps: p.recomputeMlps,
    });
    return {
      senders: r.senders.map((g) => g.map((h) => `L${h.layer}H${h.head}`).join('+')),
      receivers: p.receivers === 'logits' ? 'logits' : p.receivers.map((h) => `L${h.layer}H${h.head}.${h.input}`).join('+'),
      shape: [...r.shape],
      normalized: numbers(r.normalized),
      metric: numbers(r.metric),
      cleanMetric: num(r.cleanMetric),
      corruptedMetric: num(r.corruptedMetric),
      ...metricJson(model, setup.metric),
      position: setup.position,
      cleanIds: setup.clean,
      cleanTokens: tokenStrings(model, setup.clean),
    };
  },
  view(r, name) {
    const what = `path patching → ${r.receivers}`;
    return name === 'metric' ? grid(r, r.metric, `Metric after ${what}`, 'metric') : grid(r, r.normalized, `Normalised metric after ${what}`, 'normalised metric');
  },
});
