/**
 * Step "head-scores" → analysis/methods/head-scores.ts: previous-token, duplicate-token and
 * induction scores on repeated random tokens, and successor scores, as [layer][head] grids.
 */
import { z } from 'zod';
import { headScores } from '../methods/head-scores.ts';
import { tokenStrings } from './common.ts';
import { defineMethod } from './define.ts';
import type { HeadGrid, RankedHead } from './grids.ts';
import { headGrid, headGridView, rankHeads } from './grids.ts';

const Params = z.strictObject({
  n: z.number().int().min(2).max(1024).default(20).describe('Length of the random sequence r; inputs are [r, r].'),
  batch: z.number().int().min(1).max(64).default(4),
  seed: z.number().int().min(0).default(0),
  prependBos: z.boolean().default(false),
  successor: z.boolean().default(true),
});

type HeadScoresJson = {
  previousToken: HeadGrid;
  duplicateToken: HeadGrid;
  induction: HeadGrid;
  successor: HeadGrid | null;
  successorSkipped: string | null;
  successorTasks: { name: string; used: boolean; pairs: number; missing: string[] }[];
  /** The first [r, r] input, for drawing a head's attention on it (method attention-patterns). */
  sequence: { ids: number[]; tokens: string[] };
  /** Top heads by each score, best first. */
  top: { previousToken: RankedHead[]; duplicateToken: RankedHead[]; induction: RankedHead[]; successor: RankedHead[] };
};

const SCORES = { 'previous-token': 'previousToken', 'duplicate-token': 'duplicateToken', induction: 'induction', successor: 'successor' } as const;

export const headScoresStep = defineMethod({
  method: 'head-scores',
  title: 'Head scores',
  description: 'Previous-token, duplicate-token, induction and successor scores of every head.',
  version: 2,
  params: Params,
  input: 'none',
  cli: { aliases: ['heads'], flagAliases: { bos: 'prepend-bos' }, textViews: ['top-heads'] },
  views: { induction: 'grid', 'previous-token': 'grid', 'duplicate-token': 'grid', successor: 'grid', 'top-heads': 'table' },
  defaultFigure: { view: 'induction', type: 'heatmap' },
  async run(model, p): Promise<HeadScoresJson> {
    const r = await headScores(model, p);
    const grids = {
      previousToken: headGrid(r.previousToken),
      duplicateToken: headGrid(r.duplicateToken),
      induction: headGrid(r.induction),
      successor: r.successor?.scores ? headGrid(r.successor.scores) : null,
    };
    const top = (g: HeadGrid | null) => (g ? rankHeads(g, 5) : []);
    return {
      ...grids,
      successorSkipped: r.successorSkipped,
      successorTasks: (r.successor?.tasks ?? []).map((t) => ({ name: t.name, used: t.used, pairs: t.pairs, missing: [...t.missing] })),
      sequence: { ids: [...r.ids[0]], tokens: tokenStrings(model, r.ids[0]) },
      top: { previousToken: top(grids.previousToken), duplicateToken: top(grids.duplicateToken), induction: top(grids.induction), successor: top(grids.successor) },
    };
  },
  view(r, name) {
    if (name === 'top-heads') {
      return {
        kind: 'table',
        title: 'Top heads by score',
        columns: ['score', 'rank', 'head', 'value'],
        rows: Object.entries(SCORES).flatMap(([label, key]) => r.top[key].map((h, i) => [label, i + 1, `L${h.layer}H${h.head}`, h.score])),
      };
    }
    const key = SCORES[name as keyof typeof SCORES];
    const grid = r[key];
    const title = `${name[0].toUpperCase()}${name.slice(1)} score`;
    // Every score is a share of attention (or of successor pairs), so all are read on one 0..1 scale.
    const range = [0, 1] as const;
    if (grid === null) {
      const shape = r.induction;
      return { ...headGridView(`${title} (not computed: ${r.successorSkipped ?? 'unavailable'})`, shape.map((row) => row.map(() => null)), 'score', false), range };
    }
    return { ...headGridView(title, grid, 'score', false), range };
  },
});
