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
  nextToken: z.boolean().default(false).describe('Also track each position\'s next input token (the rank-map and prob-map views).'),
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
  /** nextToken: [entry][position] rank and probability of the input token after each position (null at the last); else null. */
  next: { rank: (number | null)[][]; prob: (number | null)[][] } | null;
};

export const logitLensStep = defineMethod({
  method: 'logit-lens',
  title: 'Logit lens',
  description: 'Decode every layer’s residual stream through the final norm and unembedding.',
  version: 3,
  params: Params,
  input: 'prompts',
  promptRefs: (p) => [{ field: 'prompt', ref: p.prompt }],
  cli: { aliases: ['lens'], flagAliases: { pos: 'positions' }, textViews: ['top-tokens'] },
  views: { top1: 'grid', 'rank-map': 'grid', 'prob-map': 'grid', 'target-rank': 'series', 'target-prob': 'series', 'top-tokens': 'table' },
  defaultFigure: { view: 'top1', type: 'heatmap' },
  async run(model, p, ctx): Promise<LensJson> {
    const ids = promptIds(model, ctx, p.prompt, 'prompt');
    const targets = p.targets.map((t, i) => resolveToken(model, t, `targets[${i}]`));
    const lens = await logitLens(model, { ids }, { positions: p.positions, topK: p.topK, targets, readFrom: p.readFrom, nextToken: p.nextToken });
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
      next: p.nextToken
        ? { rank: lens.entries.map((e) => e.readings.map((r) => r.next?.rank ?? null)), prob: lens.entries.map((e) => e.readings.map((r) => (r.next ? num(r.next.prob) : null))) }
        : null,
    };
  },
  view(r, name) {
    const posLabels = indexedLabels(r.positions.map((p) => r.tokens[p]), r.positions);
    const last = r.positions.length - 1;
    const layerAxis = { title: 'layer', labels: r.layers };
    // Every layer × position map: the top-1 token in the cell, the top tokens on hover.
    const cells = {
      x: { title: 'position', labels: posLabels },
      y: layerAxis,
      text: r.top.map((row) => row.map((k) => visibleToken(k[0]?.token ?? ''))),
      hover: r.top.map((row) => row.map((k) => `top: ${k.slice(0, 5).map((t) => `${visibleToken(t.token)} ${t.prob === null ? '' : t.prob.toFixed(3)}`).join(' · ')}`)),
      signed: false,
    };
    /** The cells' hover with the tracked token's rank and probability after the top tokens. */
    const withTracked = (g: { rank: (number | null)[][]; prob: (number | null)[][] }) =>
      cells.hover.map((row, e) => row.map((h, i) => (g.rank[e][i] === null ? h : `${h} | tracked: rank ${g.rank[e][i]}, p ${g.prob[e][i]?.toPrecision(3) ?? '—'}`)));
    switch (name) {
      case 'top1':
        return { kind: 'grid', title: 'Logit lens: top-1 token and its probability', ...cells, z: r.top.map((row) => row.map((k) => k[0]?.prob ?? null)), zTitle: 'p(top-1)', range: [0, 1] };
      case 'rank-map':
      case 'prob-map': {
        // The tracked token: the next input token (nextToken), else the first of `targets`.
        const first = r.targets[0];
        const grids = r.next ?? (first ? { rank: first.rank, prob: first.prob } : null);
        const what = r.next ? 'the next input token' : first ? JSON.stringify(first.token) : 'no target (run with nextToken or targets)';
        const nulls = r.top.map((row) => row.map(() => null));
        return name === 'rank-map'
          ? { kind: 'grid', title: `Logit lens: rank of ${what} (log scale, 0 = top)`, ...cells, ...(grids ? { hover: withTracked(grids) } : {}), z: grids ? grids.rank.map((row) => row.map((k) => (k === null ? null : Math.log10(k + 1)))) : nulls, zTitle: 'log₁₀(rank + 1)', smallIsStrong: true }
          : { kind: 'grid', title: `Logit lens: probability of ${what}`, ...cells, ...(grids ? { hover: withTracked(grids) } : {}), z: grids ? grids.prob : nulls, zTitle: 'probability', range: [0, 1] };
      }
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
