/**
 * Path patching's progress plan equals the forward passes it makes: every report is `done` of
 * the same total N, rising by one per pass from 0 to N, then the final N of N. N is counted from
 * the passes themselves (one report per read-back): the corruption's σ read when noise has no σ,
 * the clean and corrupted runs, then per sender group one frozen pass, and a second when the
 * receivers are heads — for senders each-head, a head group, and each-feature of an attached SAE;
 * with the metric's default tokens, their runs come first and are planned with the rest.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { dictionaryIndex, loadFixtureDictionary, loadHost } from '../../test/dictionary-goldens.ts';
import { firstFeatures } from '../../test/truncated-dictionary.ts';
import { attachDictionaries, spliceUse } from '../dictionaries/attach.ts';
import { dictionaryOnBackend } from '../dictionaries/device.ts';
import type { Model } from '../model/model.ts';
import { modelOnBackend } from '../model/model.ts';
import { randomWeights, smallSpec } from '../model/random.ts';
import { exactPlan, runWithReports } from '../../test/progress-reports.ts';

const spec = smallSpec('gpt2');
const { nLayers: L, nHeads: H } = spec;
const clean = [3, 17, 42, 5, 9, 33, 2, 61];
const corrupt = [4, ...clean.slice(1)];
const gpt2 = () => modelOnBackend({ label: 'random-gpt2', spec, weights: randomWeights(spec, 11), tokenizer: null }, createCpuBackend());

/** Every progress report of one path-patching run (answer and wrong given unless params set them undefined). */
async function reports(model: Model, params: Record<string, unknown>, prompts: number[][] = [clean, corrupt]): Promise<[number, number][]> {
  return (await runWithReports(model, 'path-patching', { answer: 7, wrong: 30, ...params }, prompts)).reports;
}

describe('path patching plans the passes made', () => {
  it('senders each-head into the logits: two full runs, one frozen pass per head', async () => {
    expect(exactPlan(await reports(gpt2(), {}))).toBe(2 + L * H);
  });

  it('into receiver heads: a second pass per head', async () => {
    const receivers = [{ layer: L - 1, head: 0, input: 'q' }, { layer: L - 1, head: 1, input: 'v' }];
    expect(exactPlan(await reports(gpt2(), { receivers }))).toBe(2 + 2 * L * H);
  });

  it('one group of sender heads, into the logits or a head', async () => {
    const senders = [{ layer: 0, head: 0 }, { layer: 0, head: 1 }];
    expect(exactPlan(await reports(gpt2(), { senders }))).toBe(2 + 1);
    expect(exactPlan(await reports(gpt2(), { senders, receivers: [{ layer: 1, head: 0, input: 'k' }] }))).toBe(2 + 2);
  });

  it('noise corruption: one more pass reads the embedding for σ only when σ is not given', async () => {
    const senders = [{ layer: 0, head: 1 }];
    expect(exactPlan(await reports(gpt2(), { senders, corrupted: { noise: { positions: [0] } } }, [clean]))).toBe(1 + 2 + 1);
    expect(exactPlan(await reports(gpt2(), { senders, corrupted: { noise: { positions: [0], sigma: 0.5 } } }, [clean]))).toBe(2 + 1);
  });

  it("the metric's default tokens: a run for the answer, one for the wrong token on the corrupted prompt, planned before them", async () => {
    const model = gpt2();
    const senders = [{ layer: 0, head: 0 }];
    expect(exactPlan(await reports(model, { senders, answer: undefined, wrong: undefined }))).toBe(2 + 2 + 1);
    expect(exactPlan(await reports(model, { senders, wrong: undefined }))).toBe(1 + 2 + 1);
    expect(exactPlan(await reports(model, { senders, answer: undefined, wrong: undefined, corrupted: { noise: { positions: [0], sigma: 0.5 } } }, [clean]))).toBe(1 + 2 + 1);
  });

  describe('senders each-feature', () => {
    const N = 4;
    let model: Model;
    beforeAll(async () => {
      const plain = await loadHost('stories260K-hf', createCpuBackend());
      const row = dictionaryIndex('stories260K-hf').find((r) => r.folder === 'standard-L2-resid_post')!;
      model = attachDictionaries(plain, [spliceUse(dictionaryOnBackend(firstFeatures(await loadFixtureDictionary('stories260K-hf', row, 5), N), plain.backend), 'with-error')]);
    });

    it('one frozen pass per feature and the error term (two into heads)', async () => {
      expect(exactPlan(await reports(model, { senders: 'each-feature' }))).toBe(2 + (N + 1));
      expect(exactPlan(await reports(model, { senders: 'each-feature', receivers: [{ layer: 4, head: 0, input: 'q' }] }))).toBe(2 + 2 * (N + 1));
    });
  });
});
