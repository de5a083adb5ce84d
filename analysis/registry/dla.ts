/**
 * Step "dla" → analysis/methods/dla.ts: direct logit attribution of one token's logit (or a logit
 * difference) to every head, MLP and embedding, with the final norm's scale frozen; with
 * dictionaries attached (params.dictionaries), each residual-width dictionary split into its
 * features, b_dec and error term (the `features` view).
 */
import { z } from 'zod';
import { directLogitAttribution } from '../methods/dla.ts';
import { indexedLabels, rangeLabels } from './views.ts';
import { num, PositionSchema, PromptRefSchema, promptIds, resolveToken, tokenStrings, TokenRefSchema } from './common.ts';
import { defineMethod } from './define.ts';
import type { HeadGrid } from './grids.ts';
import { headGrid, headGridView } from './grids.ts';

const Params = z.strictObject({
  prompt: PromptRefSchema.default(0),
  position: PositionSchema.default(-1).describe('Position whose logits the metric reads; negative counts from the end (−1 = last).'),
  answer: TokenRefSchema.optional().describe('Default: the model\'s top prediction at the position.'),
  wrong: TokenRefSchema.optional().describe('With `wrong`, the metric is logit[answer] − logit[wrong].'),
  centred: z.boolean().default(true),
  perSource: z.boolean().default(false).describe("Split each head's contribution by the source position it attends to (the `sources` view)."),
});

export type DlaJson = {
  ids: number[];
  tokens: string[];
  position: number;
  answer: { id: number; token: string };
  wrong: { id: number; token: string } | null;
  metric: number | null;
  /** Σ components; equals metric − unembedBias. */
  total: number | null;
  unembedBias: number | null;
  /** The final norm's scale at the position, frozen for the attribution. */
  scale: number | null;
  components: { name: string; value: number | null }[];
  heads: HeadGrid;
  attnBias: (number | null)[];
  mlp: (number | null)[];
  /** perSource: [layer][head][source position], each head's contribution by where it reads from; else null. */
  sources: HeadGrid[] | null;
  /** With dictionaries attached: each one's features (active, largest |contribution| first), b_dec and error; they sum to `total`, the hook's own readout. */
  dictionaries?: { hook: string; total: number | null; bias: number | null; error: number | null; features: { feature: number; activation: number; contribution: number | null }[] }[];
};

export const dlaStep = defineMethod({
  method: 'dla',
  title: 'Direct logit attribution',
  description: 'Each head’s, MLP’s and embedding’s direct contribution to a logit or logit difference.',
  version: 3,
  params: Params,
  input: 'prompts',
  promptRefs: (p) => [{ field: 'prompt', ref: p.prompt }],
  cli: { flagAliases: { pos: 'position', uncentred: 'no-centred' }, textViews: ['components'], sortedViews: ['components', 'features'] },
  views: { heads: 'grid', components: 'series', layers: 'series', sources: 'grid', features: 'series' },
  defaultFigure: { view: 'heads', type: 'heatmap' },
  async run(model, p, ctx): Promise<DlaJson> {
    const ids = promptIds(model, ctx, p.prompt, 'prompt');
    const answer = p.answer === undefined ? undefined : resolveToken(model, p.answer, 'answer');
    const wrong = p.wrong === undefined ? undefined : resolveToken(model, p.wrong, 'wrong');
    const r = await directLogitAttribution(model, { ids }, { pos: p.position, answer, wrong, centred: p.centred, perSource: p.perSource });
    const token = (id: number) => ({ id, token: tokenStrings(model, [id])[0] });
    return {
      ids,
      tokens: tokenStrings(model, ids),
      position: r.pos,
      answer: token(r.answer),
      wrong: r.wrong === null ? null : token(r.wrong),
      metric: num(r.metric),
      total: num(r.total),
      unembedBias: num(r.unembedBias),
      scale: num(r.scale),
      components: r.components.map((c) => ({ name: c.name, value: num(c.value) })),
      heads: headGrid(r.heads),
      attnBias: r.attnBias.map(num),
      mlp: r.mlp.map(num),
      sources: r.sources ? r.sources.map(headGrid) : null,
      ...(r.dictionaries.length
        ? { dictionaries: r.dictionaries.map((s) => ({ hook: s.hook, total: num(s.total), bias: num(s.bias), error: num(s.error), features: s.features.map((f) => ({ ...f, contribution: num(f.contribution) })) })) }
        : {}),
    };
  },
  view(r, name) {
    const metric = r.wrong ? `logit[${JSON.stringify(r.answer.token)}] − logit[${JSON.stringify(r.wrong.token)}]` : `logit[${JSON.stringify(r.answer.token)}]`;
    if (name === 'heads') return headGridView(`Direct logit attribution of ${metric} by head`, r.heads, 'contribution', true);
    if (name === 'sources') {
      // One row per head (a row of the heads grid split by source position; the row sums to the cell).
      const rows = r.heads.flatMap((row, l) => row.map((_, h) => ({ l, h })));
      return {
        kind: 'grid',
        title: `Direct logit attribution of ${metric} by head and source position${r.sources ? '' : ' (run with perSource)'}`,
        x: { title: 'source position', labels: indexedLabels(r.tokens) },
        y: { title: 'head', labels: rows.map(({ l, h }) => `L${l}H${h}`) },
        z: rows.map(({ l, h }) => (r.sources ? r.sources[l][h] : r.tokens.map(() => null))),
        zTitle: 'contribution',
        signed: true,
      };
    }
    if (name === 'features') {
      const splits = r.dictionaries ?? [];
      const items = splits.flatMap((s) => [...s.features.map((f) => ({ name: `${s.hook} f${f.feature}`, value: f.contribution })), { name: `${s.hook} b_dec`, value: s.bias }, { name: `${s.hook} error`, value: s.error }]);
      return {
        kind: 'series',
        title: `Direct logit attribution of ${metric} by dictionary feature${splits.length ? '' : ' (attach dictionaries with params.dictionaries)'}`,
        x: { title: 'feature', labels: items.map((i) => i.name) },
        yTitle: 'contribution',
        traces: [{ name: 'contribution', values: items.map((i) => i.value) }],
      };
    }
    if (name === 'components') {
      return { kind: 'series', title: `Direct logit attribution of ${metric}`, x: { title: 'component', labels: r.components.map((c) => c.name) }, yTitle: 'contribution', traces: [{ name: 'contribution', values: r.components.map((c) => c.value) }] };
    }
    const attn = r.heads.map((row, l) => row.reduce<number>((a, v) => a + (v ?? 0), 0) + (r.attnBias[l] ?? 0));
    return {
      kind: 'series',
      title: `Direct logit attribution of ${metric} by layer`,
      x: { title: 'layer', labels: rangeLabels(r.mlp.length, 'L') },
      yTitle: 'contribution',
      traces: [
        { name: 'attention', values: attn },
        { name: 'MLP', values: r.mlp },
      ],
    };
  },
});
