/**
 * Retrieval heads: the NIAH builder on stories260K's tokenizer, the scoring rules (ROUGE-1,
 * needle span), and on the planted induction circuit a copy task — the score ranks the induction
 * head first, masking it drops recall to chance while masking random other heads does not, and
 * masking the needle's tokens dominates the attention influence.
 */
import { describe, expect, it } from 'vitest';
import { loadFixtureModel } from '../../test/fixture-model.ts';
import type { CopySample } from './niah.ts';
import { buildNiahSamples, copyTaskSamples, DEFAULT_NEEDLES, haystackSentences, loadHaystack } from './niah.ts';
import { plantedCircuit } from '../../test/planted-circuit.ts';
import { attentionInfluence, needleSpan, retrievalMaskingCheck, retrievalScores, rouge1Recall } from './retrieval.ts';

describe('scoring rules', () => {
  it('ROUGE-1 recall clips repeated words; the needle span is the first window covering > 90 % of the answer set', () => {
    expect(rouge1Recall(['the', 'red', 'ball'], ['red', 'ball'])).toBe(1);
    expect(rouge1Recall(['red'], ['red', 'red'])).toBe(0.5);
    expect(rouge1Recall([], ['a'])).toBe(0);
    expect(needleSpan([9, 1, 2, 3, 1, 2, 3], [1, 2, 3])).toEqual([1, 4]);
    expect(needleSpan([9, 1, 2, 8, 1, 2, 3], [1, 2, 3])).toEqual([4, 7]); // 2/3 of the set is not > 90 %
    expect(needleSpan([1, 2], [1, 2, 3])).toBeNull();
  });
});

describe('needle-in-a-haystack prompts (stories260K tokenizer)', () => {
  it('fills to the target length, puts the needle at sentence boundaries by depth, and finds every needle span', async () => {
    const model = await loadFixtureModel('stories260K-hf');
    const tok = model.tokenizer!;
    const haystack = await loadHaystack();
    const sentences = haystackSentences(haystack);
    expect(sentences.length).toBeGreaterThan(60);
    const samples = buildNiahSamples(tok, { haystack, contextLengths: [100, 300], depths: [0, 50, 100] });
    expect(samples).toHaveLength(DEFAULT_NEEDLES.length * 2 * 3);
    for (const s of samples) {
      const context = s.text.slice(0, s.text.lastIndexOf('\n'));
      const contextTokens = tok.encode(context, { prependBos: true }).length;
      expect(contextTokens).toBeLessThanOrEqual(s.contextLength);
      expect(contextTokens).toBeGreaterThan(s.contextLength - 25); // one sentence short at most
      // At a sentence boundary: the needle is preceded by a whole filler sentence (or nothing).
      const before = context.slice(0, context.indexOf(s.needle.needle)).trim();
      expect(before === '' || sentences.some((x) => before.endsWith(x))).toBe(true);
      const span = needleSpan(s.ids, s.answerIds);
      expect(span, s.text).not.toBeNull();
      expect(tok.decode(s.ids.slice(span![0], span![1]))).toContain(s.answer);
    }
    const [first, middle, last] = samples.filter((s) => s.contextLength === 300 && s.needle === DEFAULT_NEEDLES[0]);
    expect(first.sentencesBefore).toBe(0);
    expect(middle.sentencesBefore).toBeGreaterThan(0);
    expect(last.text.indexOf(DEFAULT_NEEDLES[0].needle)).toBeGreaterThan(middle.text.indexOf(DEFAULT_NEEDLES[0].needle));
    expect(() => buildNiahSamples(tok, { haystack, contextLengths: [100], needles: [{ needle: 'A cat.', question: 'Q', answer: 'dog' }] })).toThrow(/must appear in it verbatim/);
  });
});

describe('retrieval heads on the planted induction circuit (copy task)', () => {
  // A 32-token vocabulary keeps d_model at 104, so decoding on the CPU backend stays fast.
  const { model, inductionHead, previousTokenHead } = plantedCircuit({ dVocab: 32 });
  const samples: CopySample[] = copyTaskSamples({ vocab: 32, count: 5, fillerLength: 40, needleLength: 5, seed: 1 });
  const isHead = (h: { layer: number; head: number }, ref: { layer: number; head: number }) => h.layer === ref.layer && h.head === ref.head;

  it('ranks the induction head first; no other head is a retrieval head', async () => {
    const r = await retrievalScores(model, { samples, maxNewTokens: 4 });
    expect(r.recall).toBe(1);
    expect(r.counted).toBe(samples.length);
    expect(r.ranking[0]).toMatchObject(inductionHead);
    // Every generated token is copied from the needle span by the induction head: 4 steps / span 4.
    expect(r.ranking[0].score).toBeCloseTo(1, 12);
    expect(r.retrievalHeads).toEqual([{ ...inductionHead, score: 1 }]);
    // The other heads attend almost uniformly; their top-1 key lands in the span by chance only
    // (measured ≤ 0.05 here, the noise floor of the top-1 rule on short contexts).
    expect(r.ranking[1].score).toBeLessThanOrEqual(0.1);
  });

  it('masking the induction head drops recall to chance; masking random other heads does not', async () => {
    const check = await retrievalMaskingCheck(model, { samples, maxNewTokens: 4, heads: [inductionHead], draws: 4, seed: 2 });
    expect(check.baselineRecall).toBe(1);
    // Chance: the answer's 4 tokens are 4 of 32 ids; a uniform induction head just averages the context.
    expect(check.top.recall).toBeLessThanOrEqual(0.1);
    const outsideCircuit = check.random.filter((d) => !d.heads.some((h) => isHead(h, previousTokenHead)));
    expect(outsideCircuit.length).toBeGreaterThanOrEqual(2);
    for (const d of outsideCircuit) expect(d.recall).toBe(1);
  });

  it("masking the needle's tokens dominates the answer's cross-entropy; far filler does not", async () => {
    const s = samples[2];
    const r = await attentionInfluence(model, {
      ids: s.ids,
      answerIds: s.answerIds,
      documents: [
        { start: s.needleStart, end: s.needleStart + s.needle.length, label: 'needle' },
        { start: 1, end: 4, label: 'filler' },
      ],
    });
    expect(r.ce).toBeLessThan(0.01);
    expect(r.documents[0].influence).toBeGreaterThan(100);
    expect(Math.abs(r.documents[1].influence)).toBeLessThan(0.5);
  });
});
