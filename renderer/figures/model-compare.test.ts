import { describe, expect, it } from 'vitest';
import type { CompareModelsResult } from '../worker/contracts.ts';
import { klFigure, logitDiffFigure, residualFigure } from './model-compare.ts';

const result: CompareModelsResult = {
  a: 'f32.gguf',
  b: '<q8>.gguf',
  ids: [1, 317],
  tokens: ['<s>', ' Lily'],
  top1Tokens: [{ a: ' Once', b: ' Once' }, { a: ' went', b: '<unk>' }],
  positions: [
    { maxAbsLogitDiff: 0.1, kl: 0.002, top1A: 9, top1B: 9 },
    { maxAbsLogitDiff: 0.3, kl: 0.05, top1A: 4, top1B: 0 },
  ],
  residRelDiff: [[0.01, 0.02], [0.03, 0.04]],
  residRelDiffMean: [0.015, 0.035],
  summary: { maxAbsLogitDiff: 0.3, meanKl: 0.026, top1Agreement: 0.5 },
  interventions: [],
};

describe('compare-models figures', () => {
  it('plots KL and max |Δlogit| per position with escaped token labels, and marks argmax disagreement', () => {
    const kl = klFigure(result).data[0] as { x: string[]; y: number[]; hovertext: string[] };
    expect(kl.x).toEqual(['0 &lt;s&gt;', '1 ·Lily']);
    expect(kl.y).toEqual([0.002, 0.05]);
    expect(kl.hovertext[1]).toBe('argmax A ·went · B &lt;unk&gt; (differ)');
    expect(kl.hovertext[0]).not.toContain('differ');
    expect(klFigure(result).layout.title).toMatchObject({ text: expect.stringContaining('B = &lt;q8&gt;.gguf') });
    expect((logitDiffFigure(result).data[0] as { y: number[] }).y).toEqual([0.1, 0.3]);
  });

  it('draws the residual difference as [layer × position]', () => {
    const trace = residualFigure(result).data[0] as { z: number[][]; y: string[] };
    expect(trace.z).toEqual([[0.01, 0.02], [0.03, 0.04]]);
    expect(trace.y).toEqual(['L0 (mean 1.50e-2)', 'L1 (mean 3.50e-2)']);
  });
});
