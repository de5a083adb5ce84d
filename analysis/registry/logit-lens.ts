/**
 * Step "logit-lens" → analysis/methods/logit-lens.ts: the residual stream of every layer decoded
 * through the final norm and the unembedding, at chosen positions, with the rank and probability
 * of target tokens across layers.
 */
import { z } from 'zod';
import { logitLens } from '../methods/logit-lens.ts';
import { indexedLabels } from './views.ts';
import { visibleToken } from '../formats/token-label.ts';
import { defineMethod } from './define.ts';
import { num, PositionSchema, PromptRefSchema, promptIds, resolveToken, tokenStrings, TokenRefSchema } from './common.ts';

const Params = z.strictObject({
  prompt: PromptRefSchema.default(0),
  positions: z.array(PositionSchema).min(1).max(1024).optional().describe('Positions to decode (negative from the end); default all.'),
  topK: z.number().int().min(1).max(50).default(5),
  targets: z.array(TokenRefSchema).max(16).default([]).describe('Tokens whose rank/probability is tracked across layers (ids or one-token strings).'),
  readFrom: z.enum(['resid_pre', 'resid_post']).default('resid_pre'),
});

type Scored = { id: number; token: string; prob: number | null; logprob: number | null };
type LensJson = {
  tokens: string[];
  ids: number[];
  positions: number[];
  /** [entry] e.g. "L0 resid_pre" … "final". */
  layers: string[];
  /** [entry][position][k] */
  top: Scored[][][];
  /** [target] with [entry][position] grids. */
  targets: { id: number; token: string; rank: number[][]; prob: (number | null)[][]; logprob: (number | null)[][] }[];
};

export const logitLensStep = defineMethod({
  method: 'logit-lens',
  title: 'Logit lens',
  description: 'Decode every layer’s residual stream through the final norm and unembedding.',
  version: 2,
  params: Params,
  input: 'prompts',
  promptRefs: (p) => [{ field: 'prompt', ref: p.prompt }],
  cli: { aliases: ['lens'], flagAliases: { pos: 'positions' }, textViews: ['top-tokens'] },
  views: { top1: 'grid', 'target-rank': 'series', 'target-prob': 'series', 'top-tokens': 'table' },
  defaultFigure: { view: 'top1', type: 'heatmap' },
  async run(model, p, ctx): Promise<LensJson> {
    const ids = promptIds(model, ctx, p.prompt, 'prompt');
    const targets = p.targets.map((t, i) => resolveToken(model, t, `targets[${i}]`));
    const lens = await logitLens(model, { ids }, { positions: p.positions, topK: p.topK, targets, readFrom: p.readFrom });
    const tokens = tokenStrings(model, ids);
    const label = (e: { layer: number; hook: string }) => (e.layer === model.spec.nLayers ? 'final' : `L${e.layer} ${p.readFrom}`);
    return {
      tokens,
      ids,
      positions: lens.positions,
      layers: lens.entries.map(label),
      top: lens.entries.map((e) => e.readings.map((r) => r.top.map((t) => ({ id: t.id, token: t.token ?? String(t.id), prob: num(t.prob), logprob: num(t.logprob) })))),
      targets: targets.map((id, k) => ({
        id,
        token: tokenStrings(model, [id])[0],
        rank: lens.entries.map((e) => e.readings.map((r) => r.targets[k].rank)),
        prob: lens.entries.map((e) => e.readings.map((r) => num(r.targets[k].prob))),
        logprob: lens.entries.map((e) => e.readings.map((r) => num(r.targets[k].logprob))),
      })),
    };
  },
  view(r, name) {
    const posLabels = indexedLabels(r.positions.map((p) => r.tokens[p]), r.positions);
    const last = r.positions.length - 1;
    const layerAxis = { title: 'layer', labels: r.layers };
    switch (name) {
      case 'top1':
        return {
          kind: 'grid',
          title: 'Logit lens: top-1 token and its probability',
          x: { title: 'position', labels: posLabels },
          y: layerAxis,
          z: r.top.map((row) => row.map((k) => k[0]?.prob ?? null)),
          text: r.top.map((row) => row.map((k) => visibleToken(k[0]?.token ?? ''))),
          zTitle: 'p(top-1)',
          signed: false,
        };
      case 'target-rank':
      case 'target-prob':
        return {
          kind: 'series',
          title: `Target ${name === 'target-rank' ? 'rank' : 'probability'} by layer at position ${r.positions[last]}`,
          x: layerAxis,
          yTitle: name === 'target-rank' ? 'rank (0 = top)' : 'probability',
          traces: r.targets.map((t) => ({ name: JSON.stringify(t.token), values: (name === 'target-rank' ? t.rank : t.prob).map((row) => row[last]) })),
        };
      default:
        return {
          kind: 'table',
          title: `Top tokens by layer at position ${r.positions[last]} (${JSON.stringify(r.tokens[r.positions[last]])})`,
          columns: ['layer', ...Array.from({ length: r.top[0]?.[last]?.length ?? 0 }, (_, k) => `#${k + 1}`)],
          rows: r.top.map((row, e) => [r.layers[e], ...row[last].map((t) => `${JSON.stringify(t.token)} ${t.prob === null ? '' : t.prob.toFixed(3)}`)]),
        };
    }
  },
});
