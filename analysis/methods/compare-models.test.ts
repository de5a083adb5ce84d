import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { ggufReference, loadGgufFixture } from '../../test/gguf-reference.ts';
import { loadFixtureModel } from '../../test/fixture-model.ts';
import { compareModels } from './compare-models.ts';

describe('compare two checkpoints', () => {
  it("F32 vs Q4_0 GGUF: the logit difference and argmax agreement of the fixture's float64 forwards", async () => {
    const cpu = createCpuBackend();
    const [f32, q4] = [await loadGgufFixture('f32', cpu), await loadGgufFixture('q4_0', cpu)];
    const input = ggufReference.inputs[1];
    const result = await compareModels(f32, q4, input.input_ids);
    const a = input.logits_dequant_f64.f32;
    const b = input.logits_dequant_f64.q4_0;
    const argmax = (row: number[]) => row.indexOf(Math.max(...row));
    result.positions.forEach((p, i) => {
      expect(p.maxAbsLogitDiff).toBeCloseTo(Math.max(...a[i].map((v, j) => Math.abs(v - b[i][j]))), 4);
      expect([p.top1A, p.top1B]).toEqual([argmax(a[i]), argmax(b[i])]);
      expect(p.kl).toBeGreaterThanOrEqual(0);
    });
    expect(result.residRelDiffMean).toHaveLength(5);
    expect(result.residRelDiffMean.every((v) => v > 0.01)).toBe(true);
  });

  it('a model against itself differs nowhere; different architectures are refused', async () => {
    const cpu = createCpuBackend();
    const q8 = await loadGgufFixture('q8_0', cpu);
    const same = await compareModels(q8, q8, [1, 317, 263]);
    expect(same.summary).toEqual({ maxAbsLogitDiff: 0, meanKl: 0, top1Agreement: 1 });
    expect(same.residRelDiffMean).toEqual([0, 0, 0, 0, 0]);
    const gpt2 = await loadFixtureModel('gpt2-tiny', cpu);
    await expect(compareModels(q8, gpt2, [1])).rejects.toThrow(/differ in (nLayers|dModel|dVocab)/);
  });
});
