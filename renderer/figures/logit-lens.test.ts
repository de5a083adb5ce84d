import { describe, expect, it } from 'vitest';
import type { LogitLensResult, TokenInfo } from '../worker/contracts.ts';
import { cellLabelChars, logitLensFigure } from './logit-lens.ts';

/** Two rows (layer 0, final) × `pos` positions, top-1 only; token 1 is "<s>", token 2 " the". */
function lens(pos: number): LogitLensResult {
  const cells = 2 * pos;
  return {
    rowLabels: ['L0 resid_pre', 'final'],
    pos,
    topK: 1,
    topIds: Int32Array.from({ length: cells }, (_, i) => (i % 2 === 0 ? 1 : 2)),
    topProbs: new Float32Array(cells).fill(0.5),
    targetIds: new Int32Array(cells).fill(-1),
    targetRanks: new Float32Array(cells).fill(NaN),
    targetProbs: new Float32Array(cells).fill(NaN),
    vocab: { 1: '<s>', 2: ' the' },
  };
}

const tokens = (n: number): TokenInfo[] => Array.from({ length: n }, (_, i) => ({ id: i === 0 ? 1 : 2, text: i === 0 ? '<s>' : ' the', special: i === 0 }));

describe('logit-lens figure', () => {
  it('labels ticks, cells and hover with escaped tokens and visible spaces', () => {
    const spec = logitLensFigure(lens(3), tokens(3), 'top-prob');
    const trace = spec.data[0] as { text: string[][]; hovertext: string[][] };
    expect((spec.layout.xaxis as { ticktext: string[] }).ticktext).toEqual(['0 &lt;s&gt;', '1 ·the', '2 ·the']);
    expect(trace.text[0][0]).toBe('&lt;s&gt;');
    expect(trace.text[0][1]).toBe('·the');
    expect(trace.hovertext[0][0]).toContain('pos 0 &lt;s&gt;');
    expect(JSON.stringify(spec)).not.toMatch(/<s>/);
  });

  it('puts layer 0 on top, the model output at the bottom', () => {
    const yaxis = logitLensFigure(lens(3), tokens(3), 'rank').layout.yaxis as { autorange: string; ticktext: string[] };
    expect(yaxis.autorange).toBe('reversed');
    expect(yaxis.ticktext[0]).toBe('L0 resid_pre');
  });

  it('cuts cell labels to what fits 900 px exports, and drops them when fewer than 3 characters fit', () => {
    expect(cellLabelChars(10)).toBe(7);
    expect(cellLabelChars(31)).toBe(3);
    const spec31 = logitLensFigure(lens(31), tokens(31), 'rank');
    const labels = (spec31.data[0] as { text: string[][] }).text.flat();
    for (const l of labels) expect([...l.replace(/&lt;|&gt;/g, 'x')].length).toBeLessThanOrEqual(3);
    expect((logitLensFigure(lens(45), tokens(45), 'rank').data[0] as { text?: unknown }).text).toBeUndefined();
  });
});
