/**
 * Step "retrieval-heads" → analysis/methods/retrieval.ts on needle-in-a-haystack prompts built by
 * analysis/methods/niah.ts (the shipped CC0 haystack): every head's retrieval score, recall by
 * context length and depth, and optionally the causal check (top-k heads made uniform vs k random).
 */
import { z } from 'zod';
import type { Needle, RetrievalSample } from '../methods/niah.ts';
import { buildNiahSamples, copyTaskSamples, DEFAULT_DEPTHS, DEFAULT_NEEDLES, loadHaystack } from '../methods/niah.ts';
import type { Model } from '../model/model.ts';
import { retrievalMaskingCheck, retrievalScores } from '../methods/retrieval.ts';
import { num } from './common.ts';
import { defineMethod } from './define.ts';
import type { HeadGrid } from './grids.ts';
import { headGrid, headGridView } from './grids.ts';

const Needle = z.strictObject({ needle: z.string().min(1).max(500), question: z.string().min(1).max(500), answer: z.string().min(1).max(200) });

const Params = z.strictObject({
  needles: z.array(Needle).min(1).max(20).optional().describe('Default: the three children\'s-story needles of niah.ts.'),
  task: z.enum(['niah', 'copy']).default('niah').describe('niah: needle-in-a-haystack text prompts (needs a tokenizer); copy: a token-level copy task of random tokens.'),
  samples: z.number().int().min(1).max(10_000).optional().describe('niah: use this many of the prompts, spread evenly; copy: how many (default 10).'),
  contextLengths: z.array(z.number().int().min(16).max(1_000_000)).min(1).max(20).default([128, 256]),
  depths: z.array(z.number().min(0).max(100)).min(1).max(20).optional().describe('Percent; default 10 depths 0..100.'),
  maxNewTokens: z.number().int().min(1).max(200).default(50),
  threshold: z.number().min(0).max(1).default(0.1),
  maskTopK: z.number().int().min(0).max(64).default(0).describe('Causal check: mask the top-k heads (uniform attention) vs k random heads; 0 = skip.'),
  draws: z.number().int().min(1).max(20).default(3),
  seed: z.number().int().min(0).default(0),
});

type N = number | null;
type RetrievalJson = {
  scores: HeadGrid;
  retrievalHeads: { layer: number; head: number; score: number }[];
  ranking: { layer: number; head: number; score: number }[];
  counted: number;
  recall: N;
  samples: { answer: string; contextLength: number; depth: number; tokens: number; recall: N; counted: boolean; text: string | null }[];
  task: string;
  contextLengths: number[];
  depths: number[];
  masking: { heads: string[]; baseline: N; top: N; random: N[]; randomMean: N } | null;
};

/** A sample with what the result lists about it. */
type Described = { readonly sample: RetrievalSample; readonly answer: string; readonly contextLength: number; readonly depth: number };

/** Every `n`-th-ish item so that `n` are kept, spread over the list. */
function spread<T>(items: readonly T[], n: number | undefined): T[] {
  if (n === undefined || n >= items.length) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]);
}

async function niahSamples(model: Model, p: { needles?: Needle[]; contextLengths: number[]; samples?: number }, depths: number[]): Promise<Described[]> {
  if (!model.tokenizer) throw new Error(`${model.label} has no tokenizer, so needle-in-a-haystack prompts cannot be built (task "copy" needs none)`);
  const all = buildNiahSamples(model.tokenizer, { haystack: await loadHaystack(), needles: p.needles ?? DEFAULT_NEEDLES, contextLengths: p.contextLengths, depths });
  const tooLong = all.find((s) => s.ids.length > model.spec.nCtx);
  if (tooLong) throw new Error(`params.contextLengths: a ${tooLong.contextLength}-token context gives a ${tooLong.ids.length}-token prompt, longer than ${model.label}'s context of ${model.spec.nCtx}`);
  return spread(all, p.samples).map((s) => ({ sample: s, answer: s.answer, contextLength: s.contextLength, depth: s.depth }));
}

function copySamples(model: Model, count: number, seed: number): Described[] {
  const fillerLength = Math.min(64, model.spec.nCtx - 16);
  // The answer is scored over token ids (no answer text), so it is listed as ids.
  return copyTaskSamples({ vocab: model.spec.dVocab, count, fillerLength, needleLength: 6, seed }).map((s) => ({
    sample: s,
    answer: s.answerIds.join(' '),
    contextLength: s.ids.length,
    depth: Math.round((100 * s.needleStart) / Math.max(1, s.ids.length)),
  }));
}

export const retrievalStep = defineMethod({
  method: 'retrieval-heads',
  title: 'Retrieval heads (needle in a haystack)',
  description: 'Retrieval-head scores from greedy decoding on needle-in-a-haystack prompts.',
  version: 2,
  params: Params,
  input: 'none',
  cli: { aliases: ['retrieval'], flagAliases: { 'top-k': 'mask-top-k', 'copy-task': 'task=copy' }, textViews: ['scores', 'masking'] },
  views: { scores: 'grid', recall: 'grid', samples: 'table', masking: 'series' },
  defaultFigure: { view: 'scores', type: 'heatmap' },
  async run(model, p, ctx): Promise<RetrievalJson> {
    const depths = p.depths ?? [...DEFAULT_DEPTHS];
    const described = p.task === 'copy' ? copySamples(model, p.samples ?? 10, p.seed) : await niahSamples(model, p, depths);
    const samples = described.map((d) => d.sample);
    // Greedy decoding reads back once per generated token, at most maxNewTokens per sample;
    // the masking check decodes every sample again for the top heads and for each random draw.
    const perPass = samples.length * p.maxNewTokens;
    ctx.plan(perPass * (1 + (p.maskTopK > 0 ? 1 + p.draws : 0)));
    const options = { samples, maxNewTokens: p.maxNewTokens, threshold: p.threshold };
    const r = await retrievalScores(model, options);
    let masking: RetrievalJson['masking'] = null;
    if (p.maskTopK > 0) {
      const heads = r.ranking.slice(0, p.maskTopK).map(({ layer, head }) => ({ layer, head }));
      const m = await retrievalMaskingCheck(model, { ...options, heads, draws: p.draws, seed: p.seed });
      masking = { heads: heads.map((h) => `L${h.layer}H${h.head}`), baseline: num(m.baselineRecall), top: num(m.top.recall), random: m.random.map((d) => num(d.recall)), randomMean: num(m.randomRecall) };
    }
    return {
      scores: headGrid(r.scores),
      retrievalHeads: r.retrievalHeads.map(({ layer, head, score }) => ({ layer, head, score })),
      ranking: r.ranking.slice(0, 10).map(({ layer, head, score }) => ({ layer, head, score })),
      counted: r.counted,
      recall: num(r.recall),
      samples: described.map((s, i) => ({ answer: s.answer, contextLength: s.contextLength, depth: s.depth, tokens: s.sample.ids.length, recall: num(r.samples[i].recall), counted: r.samples[i].counted, text: r.samples[i].text })),
      task: p.task,
      contextLengths: [...p.contextLengths],
      depths,
      masking,
    };
  },
  view(r, name) {
    switch (name) {
      case 'scores':
        return headGridView(`Retrieval scores (${r.counted} of ${r.samples.length} samples recovered the answer)`, r.scores, 'retrieval score', false);
      case 'recall': {
        const mean = (c: number, d: number) => {
          const xs = r.samples.filter((s) => s.contextLength === c && s.depth === d && s.recall !== null).map((s) => s.recall!);
          return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
        };
        return {
          kind: 'grid',
          title: `Needle recall (ROUGE-1, mean over needles); overall ${r.recall?.toFixed(2) ?? '—'}`,
          x: { title: 'depth (%)', labels: r.depths.map((d) => `${Math.round(d)}%`) },
          y: { title: 'context length (tokens)', labels: r.contextLengths.map(String) },
          z: r.contextLengths.map((c) => r.depths.map((d) => mean(c, d))),
          zTitle: 'recall',
          signed: false,
        };
      }
      case 'samples':
        return {
          kind: 'table',
          title: 'Needle-in-a-haystack samples',
          columns: ['answer', 'context', 'depth %', 'tokens', 'recall', 'counted', 'generated'],
          rows: r.samples.map((s) => [s.answer, s.contextLength, Math.round(s.depth), s.tokens, s.recall, s.counted ? 'yes' : 'no', s.text]),
        };
      default: {
        const m = r.masking;
        return {
          kind: 'series',
          title: m ? `Recall with the top ${m.heads.length} heads (${m.heads.join(', ')}) made uniform, vs random heads` : 'Masking check (not run: maskTopK is 0)',
          x: { title: 'condition', labels: m ? ['no masking', 'top heads masked', ...m.random.map((_, i) => `random draw ${i + 1}`)] : [] },
          yTitle: 'recall',
          traces: [{ name: 'recall', values: m ? [m.baseline, m.top, ...m.random] : [] }],
        };
      }
    }
  },
});
