/**
 * Retrieval-head scoring (METHODS.md, "Retrieval-head score"; Wu et al. 2024). For each sample
 * (niah.ts builds them), greedy decoding (≤ 50 tokens, stop at a newline) with every head's top-1
 * attended key tracked at every decoding step: if that key lies inside the needle span and holds
 * the token just generated, the head gains 1/|needle span|. The needle span is the first window of
 * the prompt, as long as the answer, whose token set covers > 90 % of the answer's token set. A
 * sample counts only if the answer is recovered (ROUGE-1 recall > 0.5); head score = mean over
 * counted samples; retrieval head ⇔ score > 0.1.
 *
 * Also here: the causal check (top-k retrieval heads made `uniform` during decoding, against k
 * random heads, comparing recall) and the attention influence of documents,
 * (CE_masked − CE) / CE, where CE is the answer's teacher-forced cross-entropy and "masked" blocks
 * every later query from attending to the document's tokens, in every head of every layer.
 *
 * Axis order: scores [layer][head]; per-step tracking [step][layer][head].
 */
import type { Tensor } from '../../gpu/backend.ts';
import type { Intervention } from '../hooks/interventions.ts';
import { hook } from '../hooks/points.ts';
import type { HookCallback, HookOptions } from '../hooks/session.ts';
import { generate } from '../model/generate.ts';
import { logSumExp } from '../model/loss.ts';
import type { Model } from '../model/model.ts';
import { run } from '../model/run.ts';
import { seededRandom } from '../model/sampling.ts';
import type { RetrievalSample } from './niah.ts';

export interface HeadRef {
  readonly layer: number;
  readonly head: number;
}

export interface RetrievalOptions {
  readonly samples: readonly RetrievalSample[];
  /** Default 50. */
  readonly maxNewTokens?: number;
  /** Default: every token whose text contains a newline, and the model's EOS ids. */
  readonly stopTokens?: readonly number[];
  /** Retrieval head ⇔ score > threshold (default 0.1). */
  readonly threshold?: number;
  /** A sample counts when ROUGE-1 recall > this (default 0.5). */
  readonly recallThreshold?: number;
  /** Applied during decoding (e.g. `uniform` masks); retrievalMaskingCheck sets these. */
  readonly hookOptions?: Pick<HookOptions, 'interventions' | 'callbacks' | 'caches'>;
}

export interface SampleOutcome {
  readonly generatedIds: number[];
  readonly text: string | null;
  readonly recall: number;
  readonly counted: boolean;
  /** [start, end) of the needle span in the prompt; null when no window covers the answer. */
  readonly needleSpan: readonly [number, number] | null;
  /** [layer][head] this sample's retrieval score (before gating). */
  readonly scores: number[][];
}

export interface RetrievalResult {
  /** [layer][head] mean over counted samples (0 when none counted). */
  readonly scores: number[][];
  /** Heads with score > threshold, highest first. */
  readonly retrievalHeads: (HeadRef & { readonly score: number })[];
  /** Every head, highest score first (ties: lower layer, then head). */
  readonly ranking: (HeadRef & { readonly score: number })[];
  readonly counted: number;
  /** Mean ROUGE-1 recall over all samples. */
  readonly recall: number;
  readonly samples: SampleOutcome[];
}

/** Lower-case alphanumeric words, for ROUGE-1. */
function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * ROUGE-1 recall: the fraction of the reference's unigrams found in the candidate, counts clipped
 * (a reference word twice needs two occurrences). NaN for an empty reference.
 */
export function rouge1Recall<T>(candidate: readonly T[], reference: readonly T[]): number {
  if (reference.length === 0) return NaN;
  const counts = new Map<T, number>();
  for (const t of candidate) counts.set(t, (counts.get(t) ?? 0) + 1);
  let hits = 0;
  for (const t of reference) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      hits++;
      counts.set(t, c - 1);
    }
  }
  return hits / reference.length;
}

/** First window of length |answer| whose token set covers > 90 % of the answer's token set. */
export function needleSpan(promptIds: readonly number[], answerIds: readonly number[], coverage = 0.9): [number, number] | null {
  const want = new Set(answerIds);
  const len = answerIds.length;
  for (let i = 0; i + len <= promptIds.length; i++) {
    const window = new Set(promptIds.slice(i, i + len));
    let covered = 0;
    for (const t of want) if (window.has(t)) covered++;
    if (covered / want.size > coverage) return [i, i + len];
  }
  return null;
}

/** Token ids whose text contains a newline (the stop tokens of NIAH decoding). */
export function newlineTokens(model: Model): number[] {
  const tok = model.tokenizer;
  if (!tok) return [];
  return Array.from({ length: model.spec.dVocab }, (_, i) => i).filter((i) => tok.tokenString(i).includes('\n'));
}

function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/**
 * Greedy decoding that records, for each pass (prefill = step 0), every head's top-1 key for the
 * last query: [step][layer][head]. Only the last query row is read back, never a whole pattern.
 */
export async function decodeWithTopAttention(
  model: Model,
  ids: readonly number[],
  options: { maxNewTokens: number; stopTokens: readonly number[]; hookOptions?: RetrievalOptions['hookOptions'] },
): Promise<{ newIds: number[]; text: string | null; top1: number[][][] }> {
  const { nLayers: L, nHeads: H } = model.spec;
  const top1: number[][][] = [];
  const tracker: HookCallback = {
    hook: 'blocks.*.attn.hook_pattern',
    fn: async (x: Tensor, ctx) => {
      const [, heads, q, kv] = x.shape; // [batch=1, head, pos, kvPos]
      const [row] = await ctx.backend.read([ctx.backend.slice(x, 2, q - 1, q)]); // [1, head, 1, kvPos]
      // Pass index: the prefill starts at offset 0; decoding step k (k ≥ 1) at prompt length + k − 1.
      const step = ctx.site.posOffset === 0 ? 0 : ctx.site.posOffset - ids.length + 1;
      top1[step] ??= Array.from({ length: L }, () => new Array<number>(H).fill(-1));
      // Key index → position: a sliding-window layer's trimmed cache starts at keyOffset.
      const first = ctx.site.keyOffset ?? 0;
      for (let h = 0; h < heads; h++) top1[step][ctx.site.point.layer][h] = first + argmax(row.subarray(h * kv, (h + 1) * kv));
    },
  };
  const g = await generate(model, { ids: [...ids] }, {
    maxNewTokens: options.maxNewTokens,
    stopTokens: options.stopTokens,
    interventions: options.hookOptions?.interventions,
    caches: options.hookOptions?.caches,
    callbacks: [...(options.hookOptions?.callbacks ?? []), tracker],
  });
  return { newIds: g.newIds, text: g.text, top1 };
}

/** Scores every head on the samples (see the module comment). */
export async function retrievalScores(model: Model, options: RetrievalOptions): Promise<RetrievalResult> {
  const { nLayers: L, nHeads: H } = model.spec;
  if (options.samples.length === 0) throw new Error('retrieval scoring needs at least one sample');
  const maxNewTokens = options.maxNewTokens ?? 50;
  const stopTokens = options.stopTokens ?? [...newlineTokens(model), ...model.spec.eosTokenIds];
  const threshold = options.threshold ?? 0.1;
  const recallThreshold = options.recallThreshold ?? 0.5;
  const total = Array.from({ length: L }, () => new Array<number>(H).fill(0));
  const samples: SampleOutcome[] = [];
  for (const [i, sample] of options.samples.entries()) {
    if (sample.answerIds.length === 0) throw new Error(`sample ${i}: the answer has no tokens`);
    const { newIds, text, top1 } = await decodeWithTopAttention(model, sample.ids, { maxNewTokens, stopTokens, hookOptions: options.hookOptions });
    const span = needleSpan(sample.ids, sample.answerIds);
    const scores = Array.from({ length: L }, () => new Array<number>(H).fill(0));
    if (span) {
      const [start, end] = span;
      newIds.forEach((generated, step) => {
        for (let l = 0; l < L; l++) {
          for (let h = 0; h < H; h++) {
            const key = top1[step][l][h];
            if (key >= start && key < end && sample.ids[key] === generated) scores[l][h] += 1 / (end - start);
          }
        }
      });
    }
    const recall = sample.answer !== undefined && text !== null ? rouge1Recall(words(text), words(sample.answer)) : rouge1Recall(newIds, sample.answerIds);
    const counted = recall > recallThreshold;
    if (counted) scores.forEach((row, l) => row.forEach((s, h) => (total[l][h] += s)));
    samples.push({ generatedIds: newIds, text, recall, counted, needleSpan: span, scores });
  }
  const counted = samples.filter((s) => s.counted).length;
  const mean = total.map((row) => row.map((s) => (counted > 0 ? s / counted : 0)));
  const ranking = mean
    .flatMap((row, layer) => row.map((score, head) => ({ layer, head, score })))
    .sort((a, b) => b.score - a.score || a.layer - b.layer || a.head - b.head);
  return {
    scores: mean,
    retrievalHeads: ranking.filter((h) => h.score > threshold),
    ranking,
    counted,
    recall: samples.reduce((a, s) => a + s.recall, 0) / samples.length,
    samples,
  };
}

// --- Causal check ------------------------------------------------------------------------------

export interface MaskingCheckOptions extends Omit<RetrievalOptions, 'hookOptions'> {
  /** The heads to mask, e.g. the top-k of a RetrievalResult's ranking. */
  readonly heads: readonly HeadRef[];
  /** Random draws of k = heads.length heads from all other heads (default 3). */
  readonly draws?: number;
  readonly seed?: number;
}

export interface MaskingCheckResult {
  readonly baselineRecall: number;
  readonly top: { readonly heads: HeadRef[]; readonly recall: number };
  /** One entry per random draw. */
  readonly random: { readonly heads: HeadRef[]; readonly recall: number }[];
  /** Mean recall over the random draws. */
  readonly randomRecall: number;
}

/** `uniform` on each head's attention (every decoding pass). */
export function uniformMasks(heads: readonly HeadRef[]): Intervention[] {
  return heads.map((h) => ({ hook: hook.pattern(h.layer), op: 'uniform', head: h.head }));
}

/**
 * Recall with the given heads made uniform against k random other heads (seeded draws without
 * replacement from the heads not in `heads`, so a random draw never contains a masked head).
 */
export async function retrievalMaskingCheck(model: Model, options: MaskingCheckOptions): Promise<MaskingCheckResult> {
  const { nLayers: L, nHeads: H } = model.spec;
  const k = options.heads.length;
  if (k === 0) throw new Error('masking check: no heads to mask');
  for (const h of options.heads) {
    if (!(h.layer >= 0 && h.layer < L && h.head >= 0 && h.head < H)) throw new Error(`masking check: head L${h.layer}H${h.head} is outside ${L} layers × ${H} heads`);
  }
  const chosen = new Set(options.heads.map((h) => h.layer * H + h.head));
  const others = Array.from({ length: L * H }, (_, i) => i).filter((i) => !chosen.has(i));
  if (others.length < k) throw new Error(`masking check: only ${others.length} other heads to draw ${k} random heads from`);
  const recallWith = async (heads: readonly HeadRef[]) =>
    (await retrievalScores(model, { ...options, hookOptions: heads.length ? { interventions: uniformMasks(heads) } : undefined })).recall;
  const random = seededRandom(options.seed ?? 0);
  const draws: { heads: HeadRef[]; recall: number }[] = [];
  for (let d = 0; d < (options.draws ?? 3); d++) {
    const pool = [...others];
    const picked: HeadRef[] = [];
    for (let i = 0; i < k; i++) {
      const [index] = pool.splice(Math.floor(random() * pool.length), 1);
      picked.push({ layer: Math.floor(index / H), head: index % H });
    }
    draws.push({ heads: picked, recall: await recallWith(picked) });
  }
  return {
    baselineRecall: await recallWith([]),
    top: { heads: [...options.heads], recall: await recallWith(options.heads) },
    random: draws,
    randomRecall: draws.reduce((a, d) => a + d.recall, 0) / draws.length,
  };
}

// --- Attention influence of documents -------------------------------------------------------------

export interface AttentionInfluenceOptions {
  /** Prompt token ids. */
  readonly ids: readonly number[];
  /** The answer's token ids, scored teacher-forced after the prompt. */
  readonly answerIds: readonly number[];
  /** Documents as [start, end) token ranges of the prompt. */
  readonly documents: readonly { readonly start: number; readonly end: number; readonly label?: string }[];
}

export interface AttentionInfluenceResult {
  /** Mean cross-entropy (nats) of the answer tokens given the prompt. */
  readonly ce: number;
  readonly documents: { readonly start: number; readonly end: number; readonly label: string | null; readonly ceMasked: number; readonly influence: number }[];
}

/** Mean −log p(answer_t | prompt, answer_<t) from logits [1, pos, vocab] of prompt + answer. */
function answerCrossEntropy(logits: Float32Array, promptLength: number, answer: readonly number[], vocab: number): number {
  let total = 0;
  answer.forEach((t, k) => {
    const row = logits.subarray((promptLength - 1 + k) * vocab, (promptLength + k) * vocab);
    total += logSumExp(row) - row[t];
  });
  return total / answer.length;
}

/** Blocks queries at positions ≥ `end` from keys in [start, end), in every head of every layer. */
function documentMask(start: number, end: number): HookCallback {
  return {
    hook: 'blocks.*.attn.hook_attn_scores',
    fn: (x, ctx) => {
      const [batch, heads, q, kv] = x.shape;
      const mask = new Float32Array(batch * heads * q * kv);
      for (let b = 0; b < batch * heads; b++) {
        for (let i = 0; i < q; i++) {
          if (ctx.site.posOffset + i < end) continue;
          for (let j = start; j < end && j < kv; j++) mask[(b * q + i) * kv + j] = 1;
        }
      }
      const b = ctx.backend;
      return b.select(b.upload(mask, x.shape), b.fill(x.shape, -Infinity), x);
    },
  };
}

/** (CE_masked − CE) / CE per document (see the module comment). */
export async function attentionInfluence(model: Model, options: AttentionInfluenceOptions): Promise<AttentionInfluenceResult> {
  const { ids, answerIds } = options;
  if (answerIds.length === 0) throw new Error('attention influence: the answer has no tokens');
  const full = [...ids, ...answerIds];
  const V = model.spec.dVocab;
  const ce = answerCrossEntropy((await run(model, { ids: full })).logits!.data, ids.length, answerIds, V);
  const documents: AttentionInfluenceResult['documents'] = [];
  for (const [i, d] of options.documents.entries()) {
    if (!(Number.isInteger(d.start) && Number.isInteger(d.end) && d.start >= 0 && d.start < d.end && d.end <= ids.length)) {
      throw new Error(`document ${i}: [${d.start}, ${d.end}) is not a token range inside the ${ids.length}-token prompt`);
    }
    const masked = await run(model, { ids: full }, { callbacks: [documentMask(d.start, d.end)] });
    const ceMasked = answerCrossEntropy(masked.logits!.data, ids.length, answerIds, V);
    documents.push({ start: d.start, end: d.end, label: d.label ?? null, ceMasked, influence: (ceMasked - ce) / ce });
  }
  return { ce, documents };
}
