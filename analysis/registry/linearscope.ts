/**
 * Step "linearscope" → analysis/methods/linearscope.ts: the run linearised at its own input
 * (secant: nonlinearities frozen; tangent: the local Jacobian); a logit or logit difference split
 * exactly into source position × component contributions plus a bias, and the metric's direction
 * pulled back to the input and decoded through the LM head at every position. With a dictionary
 * attached at the start hook (params.dictionaries, with its error term), each position's input split
 * into the dictionary's features, b_dec and error (the `features` view).
 */
import { z } from 'zod';
import { linearScope } from '../methods/linearscope.ts';
import { metricTokens } from '../methods/metric-defaults.ts';
import { resolvePosition } from '../methods/sequence.ts';
import { indexedLabels } from './views.ts';
import { num, PositionSchema, PromptRefSchema, promptIds, resolveToken, tokenStrings, TokenRefSchema } from './common.ts';
import { defineMethod } from './define.ts';
import type { DecodedJson } from './decoded-json.ts';
import { decodedJson } from './decoded-json.ts';

const Params = z.strictObject({
  prompt: PromptRefSchema.default(0),
  target: TokenRefSchema.optional().describe("Default: the model's top prediction at the position."),
  wrong: TokenRefSchema.optional(),
  position: PositionSchema.default(-1),
  mode: z.enum(['secant', 'tangent']).default('secant'),
  start: z.string().min(1).max(100).optional().describe('Residual hook standing in for the input (default blocks.0.hook_resid_pre).'),
  decodeTopK: z.number().int().min(1).max(50).default(5),
});

type N = number | null;
export type LinearScopeJson = {
  mode: string;
  start: string;
  ids: number[];
  tokens: string[];
  position: number;
  target: { id: number; token: string };
  wrong: { id: number; token: string } | null;
  logit: N;
  replay: N;
  bias: N;
  perPosition: N[];
  components: string[];
  /** [pos][component] */
  grid: N[][];
  perComponent: N[];
  biasTerms: { label: string; value: N }[];
  /** [pos] W_U·(Aᵀv)[pos]: the tokens the input at each position pushes the metric towards (top) and away from (bottom). */
  decoded: DecodedJson[];
  /** With a dictionary at the start hook: the largest (position, feature) contributions, and b_dec's and the error term's per position; with all features they sum to perPosition. */
  features?: { hook: string; items: { pos: number; feature: number; activation: number; contribution: N }[]; bias: N[]; error: N[] };
};

/** How many (position, feature) contributions a result keeps. */
const FEATURE_ITEMS = 200;

export const linearScopeStep = defineMethod({
  method: 'linearscope',
  title: 'LinearScope',
  description: 'Exact position × component decomposition of a logit by linear replay, and its pull-back.',
  version: 3,
  params: Params,
  input: 'prompts',
  promptRefs: (p) => [{ field: 'prompt', ref: p.prompt }],
  cli: { flagAliases: { pos: 'position', 'top-k': 'decode-top-k' }, textViews: ['per-position', 'per-component'] },
  views: { contributions: 'grid', 'per-position': 'series', 'per-component': 'series', decoded: 'table', features: 'series' },
  defaultFigure: { view: 'contributions', type: 'heatmap' },
  async run(model, p, ctx): Promise<LinearScopeJson> {
    const ids = promptIds(model, ctx, p.prompt, 'prompt');
    const wrong = p.wrong === undefined ? undefined : resolveToken(model, p.wrong, 'wrong');
    const position = resolvePosition(p.position, ids.length, 'params.position');
    // One pass per position for the secant gains, the linear replay and the adjoint across layers.
    ctx.plan(ids.length + 2 * model.spec.nLayers + 4 + (p.target === undefined ? 1 : 0));
    const target = p.target === undefined ? (await metricTokens(model, ids, position, { wrong })).answer : resolveToken(model, p.target, 'target');
    const r = await linearScope(model, { ids }, { target, wrong, position, mode: p.mode, start: p.start, decodeTopK: p.decodeTopK });
    return {
      mode: r.mode,
      start: r.start,
      ids,
      tokens: tokenStrings(model, ids),
      position: r.position,
      target: { id: target, token: tokenStrings(model, [target])[0] },
      wrong: wrong === undefined ? null : { id: wrong, token: tokenStrings(model, [wrong])[0] },
      logit: num(r.logit),
      replay: num(r.replay),
      bias: num(r.bias),
      perPosition: r.perPosition.map(num),
      components: r.components,
      grid: r.grid.map((row) => row.map(num)),
      perComponent: r.perComponent.map(num),
      biasTerms: r.biasTerms.map((t) => ({ label: t.label, value: num(t.value) })),
      decoded: r.decoded.map(decodedJson),
      ...(r.features
        ? {
            features: {
              hook: r.features.hook,
              items: r.features.items.slice(0, FEATURE_ITEMS).map((i) => ({ ...i, contribution: num(i.contribution) })),
              bias: r.features.bias.map(num),
              error: r.features.error.map(num),
            },
          }
        : {}),
    };
  },
  view(r, name) {
    const metric = r.wrong === null ? `logit[${JSON.stringify(r.target.token)}]` : `logit[${JSON.stringify(r.target.token)}] − logit[${JSON.stringify(r.wrong.token)}]`;
    const positions = { title: 'source position', labels: indexedLabels(r.tokens) };
    const components = { title: 'component', labels: r.components };
    switch (name) {
      case 'contributions':
        return { kind: 'grid', title: `LinearScope (${r.mode}): ${metric} at position ${r.position} by source position and component`, x: components, y: positions, z: r.grid, zTitle: 'contribution', signed: true };
      case 'per-position':
        return { kind: 'series', title: `LinearScope (${r.mode}): ${metric} by source position (bias ${r.bias?.toFixed(3) ?? '—'})`, x: positions, yTitle: 'contribution', traces: [{ name: 'contribution', values: r.perPosition }] };
      case 'features': {
        const f = r.features;
        const sum = (xs: N[]) => xs.reduce<number>((a, x) => a + (x ?? 0), 0);
        const items = f ? [...f.items.map((i) => ({ name: `${i.pos}: f${i.feature}`, value: i.contribution })), { name: 'b_dec (all positions)', value: sum(f.bias) }, { name: 'error (all positions)', value: sum(f.error) }] : [];
        return {
          kind: 'series',
          title: f ? `LinearScope (${r.mode}): ${metric} by feature of ${f.hook} (position: feature)` : `LinearScope (${r.mode}): attach a dictionary at ${r.start} (params.dictionaries) to split its input into features`,
          x: { title: 'position: feature', labels: items.map((i) => i.name) },
          yTitle: 'contribution',
          traces: [{ name: 'contribution', values: items.map((i) => i.value) }],
        };
      }
      case 'per-component':
        return { kind: 'series', title: `LinearScope (${r.mode}): ${metric} by component`, x: components, yTitle: 'contribution', traces: [{ name: 'contribution', values: r.perComponent }] };
      default:
        return {
          kind: 'table',
          title: `The metric's direction pulled back to ${r.start}, through the LM head`,
          columns: ['position', 'promotes', 'suppresses'],
          rows: r.decoded.map((d, j) => [positions.labels[j], d.top.map((t) => JSON.stringify(t.token)).join(' '), d.bottom.map((t) => JSON.stringify(t.token)).join(' ')]),
        };
    }
  },
});
