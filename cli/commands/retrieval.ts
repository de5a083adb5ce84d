/**
 * probescope retrieval --model M [--samples N] [--context-lengths 64,128] [--depths 0,50,100]
 *   [--needles FILE.json] [--haystack FILE.txt] [--max-new-tokens 50] [--top-k K] [--draws D] [--seed S]
 *   [--copy-task] [--backend cpu|cpu-ref|webgpu] [--json]
 *
 * Retrieval-head scores on needle-in-a-haystack prompts (the shipped CC0 filler and default
 * needles unless given), the heads above the 0.1 threshold, recall, and with --top-k K the causal
 * check: the top-K heads made uniform during decoding against K random other heads.
 * --copy-task scores a token-level copy task instead (for models without a tokenizer).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Needle, RetrievalSample } from '../../analysis/methods/niah.ts';
import { buildNiahSamples, copyTaskSamples, DEFAULT_DEPTHS, loadHaystack } from '../../analysis/methods/niah.ts';
import { retrievalMaskingCheck, retrievalScores } from '../../analysis/methods/retrieval.ts';
import { oneOf, parseInteger, parseJsonArg, UsageError } from '../args.ts';
import { BACKEND_NAMES, openBackend, openModel } from '../open.ts';
import { printJson } from '../output.ts';
import { modelFlags } from './run.ts';

export const RETRIEVAL_USAGE = `probescope retrieval --model <dir | builtin:stories260K> [--samples N] [--context-lengths 64,128]
  [--depths 0,50,100] [--needles FILE.json] [--haystack FILE.txt] [--max-new-tokens 50] [--top-k K] [--draws 3]
  [--seed 0] [--copy-task] [--backend cpu|cpu-ref|webgpu] [--json]`;

const NeedlesSchema = z.array(z.object({ needle: z.string().min(1), question: z.string().min(1), answer: z.string().min(1) }).strict()).min(1);

function numberList(flag: string, value: string | undefined, fallback: readonly number[]): number[] {
  if (value === undefined) return [...fallback];
  const parts = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const numbers = parts.map(Number);
  if (parts.length === 0 || numbers.some((n) => !Number.isFinite(n))) throw new UsageError(`${flag}: expected comma-separated numbers, got "${value}"`);
  return numbers;
}

/** N samples spread evenly over the list (all of them when N ≥ its length). */
function spread<T>(items: readonly T[], n: number): T[] {
  if (n >= items.length) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]);
}

export async function retrievalCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: modelFlags.model,
      backend: modelFlags.backend,
      json: modelFlags.json,
      'no-bos': modelFlags['no-bos'],
      samples: { type: 'string' },
      'context-lengths': { type: 'string' },
      depths: { type: 'string' },
      needles: { type: 'string' },
      haystack: { type: 'string' },
      'max-new-tokens': { type: 'string' },
      'top-k': { type: 'string' },
      draws: { type: 'string' },
      seed: { type: 'string' },
      'copy-task': { type: 'boolean' },
    },
  });
  const positive = (flag: string, value: string | undefined, fallback: number) => {
    const n = parseInteger(flag, value, fallback);
    if (n < 0) throw new UsageError(`${flag}: expected a non-negative integer, got ${n}`);
    return n;
  };
  const maxNewTokens = positive('--max-new-tokens', values['max-new-tokens'], 50);
  const topK = positive('--top-k', values['top-k'], 0);
  const seed = positive('--seed', values.seed, 0);
  const backend = await openBackend(oneOf('--backend', values.backend, BACKEND_NAMES, 'cpu'));
  const model = await openModel(values.model, backend);

  let samples: RetrievalSample[];
  if (values['copy-task']) {
    const n = positive('--samples', values.samples, 10);
    samples = copyTaskSamples({ vocab: model.spec.dVocab, count: n, fillerLength: Math.min(64, model.spec.nCtx - 16), needleLength: 6, seed });
  } else {
    if (!model.tokenizer) throw new UsageError(`${model.label} has no tokenizer: needle-in-a-haystack prompts need one (use --copy-task for a token-level copy task)`);
    let needles: readonly Needle[] | undefined;
    if (values.needles !== undefined) {
      const parsed = NeedlesSchema.safeParse(parseJsonArg('--needles', values.needles.startsWith('@') ? values.needles : `@${values.needles}`));
      if (!parsed.success) throw new UsageError(`--needles: expected [{needle, question, answer}, ...] (${parsed.error.issues[0].message} at ${parsed.error.issues[0].path.join('.')})`);
      needles = parsed.data;
    }
    const haystack = values.haystack === undefined ? await loadHaystack() : readFileSync(values.haystack, 'utf8');
    const all = buildNiahSamples(model.tokenizer, {
      haystack,
      needles,
      contextLengths: numberList('--context-lengths', values['context-lengths'], [128, 256]),
      depths: numberList('--depths', values.depths, DEFAULT_DEPTHS),
      prependBos: values['no-bos'] ? false : undefined,
    });
    samples = spread(all, positive('--samples', values.samples, all.length));
  }
  if (samples.length === 0) throw new UsageError('--samples: need at least one sample');
  const r = await retrievalScores(model, { samples, maxNewTokens });
  const masking = topK > 0
    ? await retrievalMaskingCheck(model, { samples, maxNewTokens, heads: r.ranking.slice(0, topK), draws: positive('--draws', values.draws, 3), seed })
    : null;
  const out = {
    samples: samples.length,
    counted: r.counted,
    recall: r.recall,
    scores: r.scores,
    retrieval_heads: r.retrievalHeads,
    top: r.ranking.slice(0, 5),
    outcomes: r.samples.map((s) => ({ text: s.text, generated_ids: s.generatedIds, recall: s.recall, counted: s.counted, needle_span: s.needleSpan })),
    masking: masking && {
      baseline_recall: masking.baselineRecall,
      top_heads: masking.top.heads,
      top_recall: masking.top.recall,
      random: masking.random,
      random_recall: masking.randomRecall,
    },
  };
  if (values.json) {
    printJson(out);
    return 0;
  }
  console.log(`${samples.length} samples, ${r.counted} counted (ROUGE-1 recall > 0.5), mean recall ${r.recall.toFixed(3)}`);
  console.log(`retrieval heads (score > 0.1): ${r.retrievalHeads.map((h) => `L${h.layer}H${h.head} ${h.score.toFixed(3)}`).join('  ') || 'none'}`);
  console.log(`top heads: ${out.top.map((h) => `L${h.layer}H${h.head} ${h.score.toFixed(3)}`).join('  ')}`);
  if (masking) {
    console.log(`recall: baseline ${masking.baselineRecall.toFixed(3)}, top-${topK} masked ${masking.top.recall.toFixed(3)}, random-${topK} masked ${masking.randomRecall.toFixed(3)}`);
  }
  return 0;
}
