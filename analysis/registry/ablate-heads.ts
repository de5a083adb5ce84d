/**
 * Method "ablate-heads" → analysis/methods/ablation.ts: the chosen heads ablated together (zero,
 * mean, resample or uniform); the ablated logits at the position, the loss, the metric and
 * KL(clean ‖ ablated), beside the clean run's, and the tokens whose logits moved most.
 */
import { z } from 'zod';
import { ablateHeads } from '../methods/ablation.ts';
import type { TokenJson } from './common.ts';
import { num, numbers, PositionSchema, PromptRefSchema, promptIds, resolveToken, tokenJson, tokenStrings, TokenRefSchema } from './common.ts';
import { defineMethod } from './define.ts';
import { ablationPromptRefs } from './head-ablation.ts';

const HEAD = /^(\d+)\.(\d+)$/;

const Params = z
  .strictObject({
    prompt: PromptRefSchema.default(0),
    heads: z.array(z.string().regex(HEAD, 'a head is LAYER.HEAD, such as 1.2')).min(1).max(1024).describe('Heads to ablate together, as LAYER.HEAD (e.g. 1.2,3.1).'),
    mode: z.enum(['zero', 'mean', 'resample', 'uniform']).default('zero'),
    position: PositionSchema.default(-1).describe('Position whose logits the metric reads; negative counts from the end (−1 = last).'),
    answer: TokenRefSchema.optional().describe('Default: the model\'s top token on the clean prompt at the position.'),
    wrong: TokenRefSchema.optional().describe('With `wrong`, the metric is logit[answer] − logit[wrong].'),
    resampleFrom: PromptRefSchema.optional().describe('mode "resample": the prompt (same token length) whose hook_z replaces the heads\'.'),
    reference: z.array(PromptRefSchema).min(1).max(256).optional().describe('mode "mean": prompts to average over instead of the prompt\'s own positions.'),
  })
  .refine((p) => p.mode !== 'resample' || p.resampleFrom !== undefined, { message: 'mode "resample" needs "resampleFrom" (a prompt of the same token length)', path: ['resampleFrom'] });

type N = number | null;
type Moved = TokenJson & { clean: N; ablated: N };
export type AblateJson = {
  ids: number[];
  tokens: string[];
  position: number;
  mode: string;
  heads: string[];
  answer: TokenJson;
  wrong: TokenJson | null;
  /** The ablated logits at the position. */
  logits: N[];
  loss: N;
  metric: N;
  kl: N;
  clean: { metric: N; loss: N };
  /** The tokens whose logit changed most (largest |ablated − clean| first). */
  moved: Moved[];
};

/** How many tokens `moved` lists. */
const MOVED = 10;

export const ablateHeadsStep = defineMethod({
  method: 'ablate-heads',
  title: 'Head ablation',
  description: 'Ablate chosen heads together; the metric, loss and KL against the clean run, and the tokens that moved.',
  version: 1,
  params: Params,
  input: 'prompts',
  promptRefs: ablationPromptRefs,
  cli: { flagAliases: { head: 'heads', pos: 'position', 'resample-ids': 'resample-from-ids' }, textViews: ['summary', 'moved'] },
  views: { summary: 'table', moved: 'series' },
  defaultFigure: { view: 'moved', type: 'bar' },
  async run(model, p, ctx): Promise<AblateJson> {
    const ids = promptIds(model, ctx, p.prompt, 'prompt');
    const heads = p.heads.map((h) => {
      const [, layer, head] = HEAD.exec(h)!;
      return { layer: Number(layer), head: Number(head) };
    });
    const r = await ablateHeads(model, { ids }, {
      heads,
      mode: p.mode,
      pos: p.position,
      answer: p.answer === undefined ? undefined : resolveToken(model, p.answer, 'answer'),
      wrong: p.wrong === undefined ? undefined : resolveToken(model, p.wrong, 'wrong'),
      resampleFrom: p.resampleFrom === undefined ? undefined : { ids: promptIds(model, ctx, p.resampleFrom, 'resampleFrom') },
      reference: p.reference === undefined ? undefined : { ids: p.reference.map((ref, i) => promptIds(model, ctx, ref, `reference[${i}]`)) },
    });
    const order = Array.from(r.logits.keys()).sort((a, b) => Math.abs(r.logits[b] - r.clean.logits[b]) - Math.abs(r.logits[a] - r.clean.logits[a]) || a - b);
    return {
      ids,
      tokens: tokenStrings(model, ids),
      position: r.pos,
      mode: r.mode,
      heads: r.heads.map((h) => `${h.layer}.${h.head}`),
      answer: tokenJson(model, r.answer),
      wrong: r.wrong === null ? null : tokenJson(model, r.wrong),
      logits: numbers(r.logits),
      loss: r.loss === null ? null : num(r.loss),
      metric: num(r.metric),
      kl: num(r.kl),
      clean: { metric: num(r.clean.metric), loss: r.clean.loss === null ? null : num(r.clean.loss) },
      moved: order.slice(0, MOVED).map((id) => ({ ...tokenJson(model, id), clean: num(r.clean.logits[id]), ablated: num(r.logits[id]) })),
    };
  },
  view(r, name) {
    const what = `${r.mode}-ablated ${r.heads.map((h) => `L${h.replace('.', 'H')}`).join(', ')} at position ${r.position}`;
    if (name === 'summary') {
      return {
        kind: 'table',
        title: `Head ablation: ${what}`,
        columns: ['', 'clean', 'ablated'],
        rows: [
          ['metric', r.clean.metric, r.metric],
          ['loss', r.clean.loss, r.loss],
          ['KL(clean ‖ ablated)', 0, r.kl],
        ],
      };
    }
    return {
      kind: 'series',
      title: `Logits that moved most: ${what}`,
      x: { title: 'token', labels: r.moved.map((t) => `${JSON.stringify(t.token)} (${t.id})`) },
      yTitle: 'logit',
      traces: [
        { name: 'clean', values: r.moved.map((t) => t.clean) },
        { name: 'ablated', values: r.moved.map((t) => t.ablated) },
      ],
    };
  },
});
