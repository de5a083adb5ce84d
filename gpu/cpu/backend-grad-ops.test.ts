/**
 * The backend ops the backward pass relies on: unaryGrad (act'(x)), linearTransposed (input
 * gradient of linear) and rope with negated positions (the inverse rotation).
 */
import { describe, expect, it } from 'vitest';
import type { UnaryKind } from '../backend.ts';
import { createCpuBackend, unaryScalar } from './backend.ts';

const b = createCpuBackend();

describe('unaryGrad', () => {
  const xs = [-6, -3.2, -1, -0.3, -1e-3, 0.02, 0.7, 1.5, 4, 9];
  it.each(['gelu_tanh', 'gelu_erf', 'silu', 'relu', 'neg', 'exp'] as UnaryKind[])('%s matches central differences of unary', (kind) => {
    const got = b.data(b.unaryGrad(b.upload(Float32Array.from(xs), [xs.length]), kind));
    xs.forEach((x, i) => {
      const h = 1e-3; // truncation error ~h²·f'''/6 ≈ 1e-7
      const fd = (unaryScalar(kind, x + h) - unaryScalar(kind, x - h)) / (2 * h);
      // erf's Chebyshev fit has |error| < 1.2e-7, which the FD quotient divides by h.
      expect(Math.abs(got[i] - fd), `${kind}'(${x})`).toBeLessThan(kind === 'gelu_erf' ? 3e-4 : 2e-6 * (1 + Math.abs(fd)));
    });
  });
  it("gelu_erf'(x) matches Φ(x) + xφ(x) closely and relu'(0) = 0", () => {
    const g = b.data(b.unaryGrad(b.upload(Float32Array.from([0, 1]), [2]), 'gelu_erf'));
    expect(g[0]).toBeCloseTo(0.5, 6);
    expect(g[1]).toBeCloseTo(0.8413447 + 0.2419707, 6);
    expect(b.data(b.unaryGrad(b.upload(Float32Array.from([0]), [1]), 'relu'))[0]).toBe(0);
  });
});

describe('linearTransposed', () => {
  it('is x · w for w [out, in], and the adjoint of linear', () => {
    const w = b.upload(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]); // [out 2, in 3]
    const g = b.upload(Float32Array.from([1, -1, 0.5, 2]), [2, 1, 2]);
    const out = b.linearTransposed(g, w);
    expect(out.shape).toEqual([2, 1, 3]);
    expect(Array.from(b.data(out))).toEqual([1 - 4, 2 - 5, 3 - 6, 0.5 + 8, 1 + 10, 1.5 + 12]);
    // ⟨g, W x⟩ = ⟨Wᵀ g, x⟩
    const x = b.upload(Float32Array.from([0.3, -2, 1.25, 1, 0, -1]), [2, 1, 3]);
    const wx = b.data(b.linear(x, w));
    const wtg = b.data(out);
    const gd = b.data(g);
    const xd = b.data(x);
    const lhs = gd.reduce((s, v, i) => s + v * wx[i], 0);
    const rhs = xd.reduce((s, v, i) => s + v * wtg[i], 0);
    expect(lhs).toBeCloseTo(rhs, 5);
  });
  it('names the mismatch', () => {
    expect(() => b.linearTransposed(b.fill([2, 3], 1), b.fill([2, 3], 1))).toThrow(/does not end in 2/);
  });
});

describe('rope with negated positions', () => {
  it('undoes the rotation (partial rotary too)', () => {
    const n = 2 * 3 * 2 * 8;
    const x = b.upload(Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7)), [2, 3, 2, 8]);
    const pos = Int32Array.from([0, 5, 17, 3, 40, 63]);
    const neg = pos.map((p) => -p);
    for (const dims of [8, 4]) {
      const rotated = b.rope(x, pos, dims, 10000);
      const back = b.data(b.rope(rotated, neg, dims, 10000));
      const orig = b.data(x);
      for (let i = 0; i < n; i++) expect(Math.abs(back[i] - orig[i])).toBeLessThan(1e-6);
      expect(Array.from(b.data(rotated))).not.toEqual(Array.from(orig));
    }
  });
});
