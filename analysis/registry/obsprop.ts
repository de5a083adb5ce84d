/**
 * Step "obsprop" → analysis/methods/obsprop.ts: an observable n = Σ e(positive) − Σ e(negative)
 * pulled back through every head's OV circuit (and every MLP): feature norms as data-free
 * importance beside each head's ablation effect, LM-head decoding of the features, and the
 * coupling coefficients C(y_i, y_j) = y_i·y_j / ‖y_i‖² (obsprop-features.ts) and cosine
 * similarities among the heads with the largest features.
 */
import { z } from 'zod';
import type { DecodedDirection } from '../methods/neurons.ts';
import { obsprop } from '../methods/obsprop.ts';
import type { PathNode } from '../methods/obsprop-features.ts';
import { cosineSimilarity, couplingCoefficient, pathLabel } from '../methods/obsprop-features.ts';
import { num, PositionSchema, PromptRefSchema, promptIds, resolveToken, tokenStrings, TokenRefSchema } from './common.ts';
import type { DecodedJson, DecodedToken } from './decoded-json.ts';
import { decodedJson } from './decoded-json.ts';
import { defineMethod } from './define.ts';
import type { HeadGrid } from './grids.ts';
import { headGridView } from './grids.ts';
import { indexedLabels } from './views.ts';

const PATH = /^\s*(L\d+H\d+|MLP\d+)\s*(,\s*(L\d+H\d+|MLP\d+)\s*)*$/i;

const Params = z.strictObject({
  positive: z.array(TokenRefSchema).min(1).max(64),
  negative: z.array(TokenRefSchema).max(64).default([]),
  prompt: PromptRefSchema.default(0).describe('The prompt for frozen norm scales, MLP linearisation and ablation effects.'),
  position: PositionSchema.default(-1).describe('Position whose logits the metric reads; negative counts from the end (−1 = last).'),
  scales: z.enum(['prompt', 'data-free']).default('prompt'),
  effects: z.enum(['zero', 'mean', 'none']).default('zero'),
  decodeTopK: z.number().int().min(1).max(50).default(5).describe('Tokens at each end when decoding features.'),
  couplingHeads: z.number().int().min(2).max(64).default(8).describe('Heads (largest feature norm first) in the coupling and cosine matrices.'),
  paths: z
    .array(z.string().regex(PATH, 'a path is nodes from the logits backwards, comma-separated: heads L1H2 or MLPs MLP0 (e.g. "L4H1,L2H0")'))
    .max(16)
    .default([])
    .describe('Multi-step paths, each "L4H1,L2H0" (nodes from the logits backwards: heads L1H2, MLPs MLP0).'),
});

/** Decoded tokens as one table cell: each quoted, with its value (W_U y)[id]: `" he" 1.23 " him" 0.98`. */
export function tokenValues(tokens: readonly DecodedToken[]): string {
  return tokens.map((t) => `${JSON.stringify(t.token)} ${t.value === null ? '—' : t.value.toPrecision(3)}`).join('  ');
}

/** "L4H1,L2H0,MLP0" → path nodes from the logits backwards. */
function parsePath(text: string): PathNode[] {
  return text.split(',').map((part) => {
    const s = part.trim();
    const head = /^L(\d+)H(\d+)$/i.exec(s);
    if (head) return { kind: 'head', layer: Number(head[1]), head: Number(head[2]) };
    return { kind: 'mlp', layer: Number(/^MLP(\d+)$/i.exec(s)![1]) };
  });
}

type N = number | null;
type Matrix = { heads: string[]; values: N[][] };
export type ObsPropJson = {
  observable: { positive: string[]; negative: string[] };
  tokens: string[];
  position: number | null;
  /** n · logits at the position on the prompt. */
  value: N;
  scaleMode: string;
  norms: HeadGrid;
  effects: HeadGrid | null;
  /**
   * Every head, largest feature norm first. `promotes`/`suppresses` are the decoded tokens' texts;
   * `decoded` the same tokens with their ids and values (W_U y)[id].
   */
  ranking: { head: string; norm: N; effect: N; promotes: string[]; suppresses: string[]; decoded: DecodedJson }[];
  mlps: { layer: number; norm: N; promotes: string[]; suppresses: string[]; decoded: DecodedJson }[];
  /** coupling.values[i][j] = C(y_i, y_j) over the top heads. */
  coupling: Matrix;
  cosine: Matrix;
  /** [layer][head][pos] per-token scores y·x of each head's feature on the prompt (each token at its own norm scale); null without a prompt. */
  scores: (N[] | null)[][];
  /** Features along the requested paths. */
  paths: { path: string; hook: string; norm: N; promotes: string[]; suppresses: string[]; decoded: DecodedJson }[];
  /** With dictionaries attached (params.dictionaries): each one's features of largest |W_dec[f] · y| against the observable's direct-path feature y, with the activation at the position. */
  dictionaries?: { hook: string; top: { feature: number; weight: N; cosine: N; activation: N; contribution: N }[] }[];
};

export const obspropStep = defineMethod({
  method: 'obsprop',
  title: 'ObsProp',
  description: 'Feature vectors of an observable (e.g. " he" − " she") through every head: norms, coupling, decoding.',
  version: 5,
  params: Params,
  input: 'prompts',
  promptRefs: (p) => [{ field: 'prompt', ref: p.prompt }],
  cli: { flagAliases: { 'pos-tokens': 'positive', 'pos-ids': 'positive', 'neg-tokens': 'negative', 'neg-ids': 'negative', pos: 'position', 'top-k': 'decode-top-k' }, textViews: ['features'] },
  views: { norms: 'grid', effects: 'grid', 'norm-vs-effect': 'series', features: 'table', coupling: 'grid', cosine: 'grid', mlps: 'series', scores: 'grid', 'dictionary-features': 'table' },
  defaultFigure: { view: 'norms', type: 'heatmap' },
  async run(model, p, ctx): Promise<ObsPropJson> {
    const ids = promptIds(model, ctx, p.prompt, 'prompt');
    const positive = p.positive.map((t, i) => resolveToken(model, t, `positive[${i}]`));
    const negative = p.negative.map((t, i) => resolveToken(model, t, `negative[${i}]`));
    const r = await obsprop(model, { positive, negative, prompt: { ids }, pos: p.position, scales: p.scales, effects: p.effects, topK: p.decodeTopK, similarity: false, paths: p.paths.map(parsePath) });
    const text = (t: { id: number; token: string | null }) => t.token ?? String(t.id);
    // The feature's decoded tokens: their texts, and the tokens with their values (none when not decoded).
    const tokens = (d: DecodedDirection | null) => ({ promotes: d ? d.top.map(text) : [], suppresses: d ? d.bottom.map(text) : [], decoded: d ? decodedJson(d) : { top: [], bottom: [] } });
    const label = (h: { layer: number; head: number }) => `L${h.layer}H${h.head}`;
    const top = r.ranking.slice(0, p.couplingHeads).map((h) => r.heads[h.layer][h.head]);
    const matrix = (f: (a: Float64Array, b: Float64Array) => number): Matrix => ({ heads: top.map(label), values: top.map((a) => top.map((b) => num(f(a.feature, b.feature)))) });
    return {
      observable: { positive: tokenStrings(model, positive), negative: tokenStrings(model, negative) },
      tokens: tokenStrings(model, ids),
      position: r.pos,
      value: r.value === null ? null : num(r.value),
      scaleMode: r.scaleMode,
      norms: r.heads.map((row) => row.map((h) => num(h.norm))),
      effects: p.effects === 'none' ? null : r.heads.map((row) => row.map((h) => (h.effect === null ? null : num(h.effect)))),
      ranking: r.ranking.map((h) => {
        return { head: label(h), norm: num(h.norm), effect: h.effect === null ? null : num(h.effect), ...tokens(r.heads[h.layer][h.head].decoded) };
      }),
      mlps: r.mlps.flatMap((m) => (m ? [{ layer: m.layer, norm: num(m.norm), ...tokens(m.decoded) }] : [])),
      scores: r.heads.map((row) => row.map((h) => (h.scores ? Array.from(h.scores, num) : null))),
      coupling: matrix(couplingCoefficient),
      cosine: matrix(cosineSimilarity),
      paths: r.paths.map((f) => ({ path: pathLabel(f.path), hook: f.hook, norm: num(f.norm), ...tokens(f.decoded) })),
      ...(r.dictionaries.length
        ? {
            dictionaries: r.dictionaries.map((d) => ({
              hook: d.hook,
              top: d.top.map((f) => ({ feature: f.feature, weight: num(f.weight), cosine: num(f.cosine), activation: f.activation === null ? null : num(f.activation), contribution: f.contribution === null ? null : num(f.contribution) })),
            })),
          }
        : {}),
    };
  },
  view(r, name) {
    const obs = `${r.observable.positive.map((t) => JSON.stringify(t)).join(' + ')}${r.observable.negative.length ? ` − ${r.observable.negative.map((t) => JSON.stringify(t)).join(' − ')}` : ''}`;
    const nothing = r.norms.map((row) => row.map(() => null));
    switch (name) {
      case 'dictionary-features':
        return {
          kind: 'table',
          title: `Dictionary features against the observable (W_dec[f] · y, its direct-path feature)${r.dictionaries ? '' : ': attach dictionaries with params.dictionaries'}`,
          columns: ['dictionary', 'feature', 'W_dec·y', 'cosine', 'activation', 'activation·W_dec·y'],
          rows: (r.dictionaries ?? []).flatMap((d) => d.top.map((f) => [d.hook, f.feature, f.weight, f.cosine, f.activation, f.contribution])),
        };
      case 'norms':
        return headGridView(`ObsProp feature norms of ${obs} (${r.scaleMode} scales)`, r.norms, '‖feature‖', false);
      case 'effects':
        return headGridView(`Zero-ablation effect on ${obs} (n·logits ${r.value?.toFixed(2) ?? '—'})`, r.effects ?? nothing, 'Δ n·logits', true);
      case 'norm-vs-effect':
        return {
          kind: 'series',
          title: `Heads by ObsProp feature norm, beside their ablation effect on ${obs}`,
          x: { title: 'head', labels: r.ranking.map((h) => h.head) },
          yTitle: 'norm / |effect|',
          traces: [
            { name: 'feature norm', values: r.ranking.map((h) => h.norm) },
            { name: '|ablation effect|', values: r.ranking.map((h) => (h.effect === null ? null : Math.abs(h.effect))) },
          ],
        };
      case 'features':
        return {
          kind: 'table',
          title: `ObsProp features of ${obs}, largest norm first`,
          columns: ['head', 'norm', 'ablation effect', 'promotes (W_U·y)', 'suppresses (W_U·y)'],
          rows: r.ranking.map((h) => [h.head, h.norm, h.effect, tokenValues(h.decoded.top), tokenValues(h.decoded.bottom)]),
        };
      case 'coupling':
      case 'cosine': {
        const m = name === 'coupling' ? r.coupling : r.cosine;
        return {
          kind: 'grid',
          title: name === 'coupling' ? `Coupling C(row, column) = y_row·y_col / ‖y_row‖² of the top heads' features` : `Cosine similarity of the top heads' features`,
          x: { title: 'head', labels: m.heads },
          y: { title: 'head', labels: m.heads },
          z: m.values,
          zTitle: name,
          signed: true,
        };
      }
      case 'scores': {
        const heads = r.scores.flatMap((row, l) => row.map((_, h) => ({ l, h })));
        return {
          kind: 'grid',
          title: `Per-token scores y·x of each head's ObsProp feature of ${obs}`,
          x: { title: 'position', labels: indexedLabels(r.tokens) },
          y: { title: 'head', labels: heads.map(({ l, h }) => `L${l}H${h}`) },
          z: heads.map(({ l, h }) => r.scores[l][h] ?? r.tokens.map(() => null)),
          zTitle: 'score',
          signed: true,
        };
      }
      default:
        return { kind: 'series', title: `ObsProp MLP feature norms of ${obs}`, x: { title: 'layer', labels: r.mlps.map((m) => `L${m.layer}`) }, yTitle: '‖feature‖', traces: [{ name: 'MLP', values: r.mlps.map((m) => m.norm) }] };
    }
  },
});
