import { describe, expect, it } from 'vitest';
import { rankOf, softmaxTopK } from './top-k.ts';

describe('softmaxTopK', () => {
  it('returns the k largest logits in order with softmax probabilities', () => {
    const logits = new Float32Array([0.5, 3, -1, 2, 3.5, 0]);
    const { top, entropy } = softmaxTopK(logits, 3);
    expect(top.map((t) => t.id)).toEqual([4, 1, 3]);
    const z = Array.from(logits).reduce((a, v) => a + Math.exp(v), 0);
    expect(top[0].prob).toBeCloseTo(Math.exp(3.5) / z, 6);
    const p = Array.from(logits).map((v) => Math.exp(v) / z);
    expect(entropy).toBeCloseTo(-p.reduce((a, q) => a + q * Math.log(q), 0), 6);
  });
  it('ranks by strictly larger logits', () => {
    const logits = new Float32Array([1, 5, 5, 0]);
    expect(rankOf(logits, 1)).toBe(0);
    expect(rankOf(logits, 0)).toBe(2);
    expect(rankOf(logits, 3)).toBe(3);
  });
});
