/**
 * Step "path-patching" → analysis/methods/path-patching.ts: the effect of sender heads on
 * receivers (a head's q/k/v input, or the logits) through the residual stream alone, everything
 * else frozen at the corrupted run. With senders "each-head" the result is a [layer, head] grid;
 * with "each-feature" (dictionaries attached) a [dictionary, feature] grid, the error term last.
 */
import { z } from 'zod';
import { featureGrid } from '../methods/feature-patch-cells.ts';
import { pathPatching } from '../methods/path-patching.ts';
import type { FeatureAxes } from './patch-grid.ts';
import { featureAxesJson } from './patch-grid.ts';
import type { GridView } from './views.ts';
import { rangeLabels } from './views.ts';
import type { TokenJson } from './common.ts';
import { num, numbers, tokenStrings } from './common.ts';
import { corruptionRefs, PATCH_FLAG_ALIASES } from './corruption.ts';
import { corruptionPasses, metricJson, PATCH_PARAMS, patchSetup } from './patch-setup.ts';
import { defineMethod } from './define.ts';

const Head = z.strictObject({ layer: z.number().int().nonnegative(), head: z.number().int().nonnegative() });

const Params = z.strictObject({
  ...PATCH_PARAMS,
  senders: z
    .union([z.literal('each-head'), z.literal('each-feature'), z.array(Head).min(1).max(1024)])
    .default('each-head')
    .describe('each-head, each-feature (every feature and error term of the attached dictionaries, params.dictionaries), or heads patched together.'),
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
  /** Senders each-feature: the dictionaries along the first axis and what the last column patches. */
  features?: FeatureAxes;
};

function grid(r: PathPatchingJson, values: (number | null)[], title: string, zTitle: string): GridView {
  if (r.features) {
    const [D, W] = r.shape;
    return {
      kind: 'grid',
      title,
      x: { title: 'sender feature', labels: [...rangeLabels(W - 1, 'f'), r.features.lastColumn] },
      y: { title: 'dictionary', labels: r.features.dictionaries },
      z: Array.from({ length: D }, (_, d) => values.slice(d * W, (d + 1) * W)),
      zTitle,
      signed: true,
    };
  }
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
    const { nLayers, nHeads } = model.spec;
    const groups = (length: number) => (p.senders === 'each-head' ? nLayers * nHeads : p.senders === 'each-feature' ? featureGrid(model, false, length).cells.length : 1);
    const setup = await patchSetup(model, ctx, p, {
      plan: ctx.plan,
      // The corruption's σ read (noise without σ), the clean and corrupted runs, then per sender
      // group one frozen pass, and one more when receivers are heads.
      after: (s) => corruptionPasses(s.corruption) + 2 + groups(s.clean.length) * (p.receivers === 'logits' ? 1 : 2),
    });
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
      senders: r.features ? r.features.dictionaries.flatMap((d) => [...rangeLabels(r.shape[1] - 1, `${d} f`), `${d} ${r.features!.lastColumn}`]) : r.senders.map((g) => g.map((h) => `L${h.layer}H${h.head}`).join('+')),
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
      ...featureAxesJson(r.features),
    };
  },
  view(r, name) {
    const what = `path patching → ${r.receivers}`;
    return name === 'metric' ? grid(r, r.metric, `Metric after ${what}`, 'metric') : grid(r, r.normalized, `Normalised metric after ${what}`, 'normalised metric');
  },
});
