import { describe, expect, it } from 'vitest';
import { argmax, sampleToken, seededRandom } from './sampling.ts';

const logits = Float32Array.from([1, 3, 2.5, -1, 0]);

function counts(options: Parameters<typeof sampleToken>[1], n = 4000, seed = 1): number[] {
  const random = seededRandom(seed);
  const c = new Array<number>(logits.length).fill(0);
  for (let i = 0; i < n; i++) c[sampleToken(logits, options, random)]++;
  return c;
}

describe('sampling', () => {
  it('is greedy at temperature 0', () => {
    expect(argmax(logits)).toBe(1);
    expect(counts({ temperature: 0 }, 50)).toEqual([0, 50, 0, 0, 0]);
  });
  it('is reproducible for a seed and differs across seeds', () => {
    expect(counts({ temperature: 1 }, 200, 7)).toEqual(counts({ temperature: 1 }, 200, 7));
    expect(counts({ temperature: 1 }, 200, 7)).not.toEqual(counts({ temperature: 1 }, 200, 8));
  });
  it('follows softmax(logits / T)', () => {
    const n = 20000;
    const c = counts({ temperature: 2 }, n);
    const w = Array.from(logits, (l) => Math.exp(l / 2));
    const z = w.reduce((a, b) => a + b, 0);
    w.forEach((wi, i) => expect(Math.abs(c[i] / n - wi / z)).toBeLessThan(0.015));
  });
  it('top-k keeps only the k best tokens', () => {
    const c = counts({ temperature: 5, topK: 2 });
    expect(c[0] + c[3] + c[4]).toBe(0);
    expect(c[1]).toBeGreaterThan(0);
    expect(c[2]).toBeGreaterThan(0);
  });
  it('top-p keeps the smallest set whose mass reaches p', () => {
    // softmax([1,3,2.5,-1,0]): token 1 ≈ 0.53, token 2 ≈ 0.32 → p = 0.6 keeps tokens 1 and 2.
    const c = counts({ temperature: 1, topP: 0.6 });
    expect(c[0] + c[3] + c[4]).toBe(0);
    expect(c[2]).toBeGreaterThan(0);
  });
});
