/**
 * Needle-in-a-haystack prompts for retrieval-head scoring (METHODS.md, "Retrieval-head score"):
 * a haystack of filler sentences (the shipped CC0 text in data/haystack.txt, or any text), a
 * needle sentence inserted at a depth 0..100 % — always at a sentence boundary —, then a question
 * whose answer is a span of the needle. Plus a token-level copy task for models without a
 * tokenizer (a planted induction circuit): random filler tokens, a needle token sequence, and a
 * prompt ending with the needle's first token(s), so continuing it is retrieval.
 *
 * Lengths are in tokens of the model's tokenizer. Sentences are tokenized one at a time: with
 * SentencePiece and byte-level BPE alike, a sentence joined after a space tokenizes the same as on
 * its own (checked for stories260K: 381 = 381 tokens over 20 sentences), so counts add up.
 */
import { urlSourceHost } from '#url-source';
import type { TextTokenizer } from '../model/model.ts';
import { seededRandom } from '../model/sampling.ts';

export interface Needle {
  /** The sentence hidden in the haystack. */
  readonly needle: string;
  /** Asked after the haystack; phrased so that the answer continues it. */
  readonly question: string;
  /** Must appear verbatim in the needle. */
  readonly answer: string;
}

/** Needles in the register of children's stories (stories260K's training data). */
export const DEFAULT_NEEDLES: readonly Needle[] = [
  { needle: 'Lily had a pet frog named Max.', question: 'What was the name of the frog? The frog was named', answer: 'Max' },
  { needle: 'The magic word was banana.', question: 'What was the magic word? The magic word was', answer: 'banana' },
  { needle: 'Tom hid his red truck under the bed.', question: 'Where did Tom hide his red truck? He hid it', answer: 'under the bed' },
];

/**
 * Needles a TinyStories-size model can recall: the question repeats the needle's start, so an
 * induction-style head can find and copy the answer. On stories260K (64 and 128 tokens, depths
 * 0/50/100 %, 8 new tokens) these two were recalled in 11 of 12 samples (a third, "The bird
 * was called Sunny.", in none), where DEFAULT_NEEDLES' questions are recalled in none.
 */
export const STORY_NEEDLES: readonly Needle[] = [
  { needle: 'The cat was called Fluffy.', question: 'The cat was called', answer: 'Fluffy' },
  { needle: 'The little dog was named Spot.', question: 'The little dog was named', answer: 'Spot' },
];

/** Every built-in needle, in the order the app lists them (indices of its retrieval job). */
export const NEEDLE_CHOICES: readonly Needle[] = [...STORY_NEEDLES, ...DEFAULT_NEEDLES];

/** What retrieval scoring needs from a sample (retrieval.ts). */
export interface RetrievalSample {
  /** The prompt's token ids (BOS included when the model uses one). */
  readonly ids: readonly number[];
  /** The answer's tokens as they appear in the prompt (for the needle span). */
  readonly answerIds: readonly number[];
  /** The answer text; ROUGE-1 recall is over its words when present, over answerIds otherwise. */
  readonly answer?: string;
}

export interface NiahSample extends RetrievalSample {
  readonly text: string;
  readonly answer: string;
  readonly needle: Needle;
  /** Target tokens of (BOS +) haystack + needle, before the separator and question. */
  readonly contextLength: number;
  /** Requested depth in percent. */
  readonly depth: number;
  /** Sentences of filler before the needle. */
  readonly sentencesBefore: number;
}

export interface NiahOptions {
  /** Filler text: one sentence per line (blank lines ignored). */
  readonly haystack: string;
  readonly needles?: readonly Needle[];
  /** Target context lengths in tokens (the filler stops before it would exceed one). */
  readonly contextLengths: readonly number[];
  /** Depths in percent; default 10 depths 0, 11.1, …, 100. */
  readonly depths?: readonly number[];
  /** Between the context and the question (default "\n"). */
  readonly separator?: string;
  readonly prependBos?: boolean;
}

export const DEFAULT_DEPTHS: readonly number[] = Array.from({ length: 10 }, (_, i) => (100 * i) / 9);

/** The shipped filler text (CC0, see data/README.md), in Node (file:) and browsers (bundled URL). */
export function loadHaystack(): Promise<string> {
  return urlSourceHost.readText(new URL('./data/haystack.txt', import.meta.url));
}

export function haystackSentences(text: string): string[] {
  const sentences = text.split('\n').map((s) => s.trim()).filter((s) => s.length > 0);
  if (sentences.length === 0) throw new Error('the haystack text has no sentences (expected one sentence per line)');
  return sentences;
}

/**
 * The answer's tokens as the needle's tokenization has them: the tokens that encoding the needle
 * up to the end of the answer adds after encoding it up to the answer's start.
 */
export function answerTokens(tokenizer: TextTokenizer, needle: Needle): number[] {
  const at = needle.needle.indexOf(needle.answer);
  if (needle.answer.length === 0 || at < 0) {
    throw new Error(`needle ${JSON.stringify(needle.needle)}: the answer ${JSON.stringify(needle.answer)} must appear in it verbatim`);
  }
  const before = tokenizer.encode(needle.needle.slice(0, at).trimEnd(), { prependBos: false });
  const through = tokenizer.encode(needle.needle.slice(0, at + needle.answer.length), { prependBos: false });
  const ids = through.slice(before.length);
  if (ids.length === 0) throw new Error(`needle ${JSON.stringify(needle.needle)}: the answer has no tokens of its own`);
  return ids;
}

export function buildNiahSamples(tokenizer: TextTokenizer, options: NiahOptions): NiahSample[] {
  const sentences = haystackSentences(options.haystack);
  const lengths = sentences.map((s) => tokenizer.encode(s, { prependBos: false }).length);
  const prependBos = options.prependBos ?? tokenizer.defaultPrependBos;
  const separator = options.separator ?? '\n';
  const depths = options.depths ?? DEFAULT_DEPTHS;
  for (const d of depths) if (!(d >= 0 && d <= 100)) throw new Error(`depth ${d} is outside 0..100 (percent)`);
  const samples: NiahSample[] = [];
  for (const needle of options.needles ?? DEFAULT_NEEDLES) {
    const answerIds = answerTokens(tokenizer, needle);
    const needleLength = tokenizer.encode(needle.needle, { prependBos: false }).length;
    for (const contextLength of options.contextLengths) {
      // Filler sentences in order, wrapping around, while the context stays within the target.
      const filler: number[] = [];
      let used = (prependBos ? 1 : 0) + needleLength;
      while (used + lengths[filler.length % sentences.length] <= contextLength) {
        used += lengths[filler.length % sentences.length];
        filler.push(filler.length % sentences.length);
      }
      if (filler.length === 0) throw new Error(`context length ${contextLength} leaves no room for filler around the ${needleLength}-token needle`);
      // Sentence boundaries by token offset; the needle goes to the one nearest the depth.
      const offsets = [0];
      filler.forEach((s) => offsets.push(offsets[offsets.length - 1] + lengths[s]));
      const total = offsets[offsets.length - 1];
      for (const depth of depths) {
        const target = (depth / 100) * total;
        let k = 0;
        offsets.forEach((o, i) => (Math.abs(o - target) < Math.abs(offsets[k] - target) ? (k = i) : 0));
        const parts = [...filler.slice(0, k).map((s) => sentences[s]), needle.needle, ...filler.slice(k).map((s) => sentences[s])];
        const text = parts.join(' ') + separator + needle.question;
        const ids = tokenizer.encode(text, { prependBos });
        samples.push({ ids, answerIds, answer: needle.answer, text, needle, contextLength, depth, sentencesBefore: k });
      }
    }
  }
  return samples;
}

export interface CopyTaskOptions {
  /** Token ids to draw from (default 0..vocab−1). */
  readonly vocab: number;
  readonly count: number;
  /** Filler tokens around the needle. */
  readonly fillerLength: number;
  readonly needleLength: number;
  /** Needle tokens repeated at the end of the prompt as the cue (default 1). */
  readonly cueLength?: number;
  /** Ids never used (e.g. BOS, or a token a test reserves). */
  readonly exclude?: readonly number[];
  readonly seed?: number;
}

export interface CopySample extends RetrievalSample {
  /** Position of the needle's first token in the prompt. */
  readonly needleStart: number;
  readonly needle: number[];
}

/**
 * Copy-task samples: filler tokens, a needle of distinct tokens that occur nowhere else, more
 * filler, then the needle's first `cueLength` tokens. The answer is the rest of the needle; the
 * needle sits at depths spread evenly over the filler (sample i at depth i/(count−1)).
 */
export function copyTaskSamples(options: CopyTaskOptions): CopySample[] {
  const { vocab, count, fillerLength, needleLength } = options;
  const cue = options.cueLength ?? 1;
  if (cue < 1 || cue >= needleLength) throw new Error(`cueLength ${cue} must be in [1, needleLength ${needleLength})`);
  const excluded = new Set(options.exclude ?? []);
  const pool = Array.from({ length: vocab }, (_, i) => i).filter((i) => !excluded.has(i));
  if (pool.length < needleLength + 2) throw new Error(`copy task: ${pool.length} usable tokens cannot hold a ${needleLength}-token needle and filler`);
  const random = seededRandom(options.seed ?? 0);
  const pick = (from: number[]) => from[Math.floor(random() * from.length)];
  return Array.from({ length: count }, (_, i) => {
    const shuffled = [...pool];
    for (let k = shuffled.length - 1; k > 0; k--) {
      const j = Math.floor(random() * (k + 1));
      [shuffled[k], shuffled[j]] = [shuffled[j], shuffled[k]];
    }
    const needle = shuffled.slice(0, needleLength);
    const rest = shuffled.slice(needleLength);
    const filler = Array.from({ length: fillerLength }, () => pick(rest));
    const at = count > 1 ? Math.round((i / (count - 1)) * fillerLength) : Math.floor(fillerLength / 2);
    const ids = [...filler.slice(0, at), ...needle, ...filler.slice(at), ...needle.slice(0, cue)];
    return { ids, answerIds: needle.slice(cue), needleStart: at, needle };
  });
}
