/**
 * Method "attention-patterns": the attention pattern (`blocks.L.attn.hook_pattern`, softmax over
 * keys) of chosen layers and heads on one prompt, from one forward pass. Views: one head's
 * query × key pattern (the head `focus` names) and a layer × head overview (mean attention
 * distance: how far back each head looks), which the app's attention view clicks through.
 */
import { z } from 'zod';
import { hook } from '../hooks/points.ts';
import { run } from '../model/run.ts';
import { num, PromptRefSchema, promptIds, tokenStrings } from './common.ts';
import { defineMethod } from './define.ts';
import type { HeadGrid } from './grids.ts';
import { indexedLabels } from './views.ts';

/** Patterns are returned as JSON numbers: beyond this many the result is too large to hold and draw. */
export const MAX_PATTERN_VALUES = 8 * 2 ** 20;

const Index = z.number().int().nonnegative().max(4095);

const Params = z.strictObject({
  prompt: PromptRefSchema.default(0),
  layers: z.array(Index).min(1).max(4096).optional().describe('Layers whose patterns are kept; default all.'),
  heads: z.array(Index).min(1).max(4096).optional().describe('Heads (query heads) kept in each layer; default all.'),
  focus: z.strictObject({ layer: Index, head: Index }).optional().describe('The head the `pattern` view draws; default the first kept layer and head.'),
});

type AttentionJson = {
  ids: number[];
  tokens: string[];
  layers: number[];
  heads: number[];
  /** The head drawn by the `pattern` view (one of `layers` × `heads`). */
  focus: { layer: number; head: number };
  /** [layer index][head index][query][key]: attention weights (rows sum to 1 over keys ≤ query). */
  patterns: (number | null)[][][][];
};

function distinctSorted(xs: readonly number[]): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}

function checkIndices(xs: readonly number[], n: number, field: string, what: string): void {
  const bad = xs.find((x) => x >= n);
  if (bad !== undefined) throw new Error(`params.${field}: ${what} ${bad} does not exist (the model has ${n}: 0..${n - 1})`);
}

/** Σ_k a[q][k]·(q − k), averaged over queries: how many tokens back a head attends on average. */
function meanDistance(pattern: readonly (readonly (number | null)[])[]): number | null {
  let sum = 0;
  for (let q = 0; q < pattern.length; q++) pattern[q].forEach((a, k) => (sum += (a ?? 0) * (q - k)));
  return pattern.length ? num(sum / pattern.length) : null;
}

export const attentionPatternsStep = defineMethod({
  method: 'attention-patterns',
  title: 'Attention patterns',
  description: 'Where each head’s queries attend on a prompt: query × key patterns and how far back each head looks.',
  version: 1,
  params: Params,
  input: 'prompts',
  promptRefs: (p) => [{ field: 'prompt', ref: p.prompt }],
  cli: { aliases: ['attention'], textViews: ['heads'] },
  views: { pattern: 'grid', heads: 'grid' },
  defaultFigure: { view: 'pattern', type: 'heatmap' },
  async run(model, p, ctx): Promise<AttentionJson> {
    const { nLayers, nHeads } = model.spec;
    const layers = p.layers ? distinctSorted(p.layers) : Array.from({ length: nLayers }, (_, l) => l);
    const heads = p.heads ? distinctSorted(p.heads) : Array.from({ length: nHeads }, (_, h) => h);
    checkIndices(layers, nLayers, 'layers', 'layer');
    checkIndices(heads, nHeads, 'heads', 'head');
    const focus = p.focus ?? { layer: layers[0], head: heads[0] };
    if (!layers.includes(focus.layer) || !heads.includes(focus.head)) {
      throw new Error(`params.focus: L${focus.layer}H${focus.head} is not among the kept layers (${layers.join(', ')}) and heads (${heads.join(', ')})`);
    }
    const ids = promptIds(model, ctx, p.prompt, 'prompt');
    const S = ids.length;
    const values = layers.length * heads.length * S * S;
    if (values > MAX_PATTERN_VALUES) {
      throw new Error(`attention patterns of ${layers.length} layers × ${heads.length} heads on ${S} tokens are ${values} values (at most ${MAX_PATTERN_VALUES}); choose fewer layers or heads, or a shorter prompt`);
    }
    ctx.plan(1);
    const out = await run(model, { ids }, { logits: 'none', capture: layers.map((l) => hook.pattern(l)) });
    const patterns = layers.map((l) => {
      // [batch=1, head, query, key]
      const data = out.cache[hook.pattern(l)].data;
      return heads.map((h) => Array.from({ length: S }, (_, q) => Array.from(data.subarray((h * S + q) * S, (h * S + q + 1) * S), num)));
    });
    return { ids, tokens: tokenStrings(model, ids), layers, heads, focus, patterns };
  },
  view(r, name) {
    if (name === 'heads') {
      const z: HeadGrid = r.patterns.map((layer) => layer.map(meanDistance));
      return {
        kind: 'grid',
        title: `Mean attention distance by head (tokens back, ${r.tokens.length}-token prompt)`,
        x: { title: 'head', labels: r.heads.map((h) => `H${h}`) },
        y: { title: 'layer', labels: r.layers.map((l) => `L${l}`) },
        z,
        zTitle: 'tokens back',
        signed: false,
      };
    }
    const li = r.layers.indexOf(r.focus.layer);
    const hi = r.heads.indexOf(r.focus.head);
    if (li < 0 || hi < 0) throw new Error(`attention-patterns: the focus head L${r.focus.layer}H${r.focus.head} is not in the result`);
    const labels = indexedLabels(r.tokens);
    return {
      kind: 'grid',
      title: `Attention pattern of L${r.focus.layer}H${r.focus.head}`,
      x: { title: 'key', labels },
      y: { title: 'query', labels },
      z: r.patterns[li][hi],
      zTitle: 'attention',
      signed: false,
      range: [0, 1],
    };
  },
});
