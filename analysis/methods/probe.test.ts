/**
 * Linear probes: the fitting algorithms against independent float64 references written here
 * (Newton's method for L2 logistic regression — the implementation uses L-BFGS —, naive Bayes from
 * explicit Gaussian log-densities), metrics, serialisation, and the stories260K gender probe.
 */
import { describe, expect, it } from 'vitest';
import { loadFixtureModel } from '../../test/fixture-model.ts';
import { gaussian } from '../model/random.ts';
import { applyProbe, probe, probeFromJson, probeToJson, rawDirections } from './probe.ts';
import { parseProbeDataset, subjectGenderDataset } from './probe-data.ts';
import type { Matrix } from './probe-fit.ts';
import { accuracy, binaryAuc, fitLogistic, fitMeanDifference, fitNaiveBayes, matrix, predict, probabilities } from './probe-fit.ts';

/** Gaussian clusters around the given centres, `per` points each, labels = cluster index. */
function clusters(centres: number[][], per: number, spread: number, seed: number): { x: Matrix; y: number[] } {
  const normal = gaussian(seed);
  const d = centres[0].length;
  const data: number[] = [];
  const y: number[] = [];
  centres.forEach((c, k) => {
    for (let i = 0; i < per; i++) {
      for (let j = 0; j < d; j++) data.push(c[j] + spread * normal());
      y.push(k);
    }
  });
  return { x: matrix(y.length, d, data), y };
}

/** Solves A x = b (dense, Gaussian elimination with partial pivoting), float64. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * x[k];
    x[r] = s / m[r][r];
  }
  return x;
}

/**
 * Reference: softmax regression (K classes, all K weight rows, unpenalised biases) minimising
 * (1/n)·ΣCE + (λ/2)‖W‖² by Newton's method with the exact Hessian. The objective is invariant to
 * a common shift of the biases, so ½(Σb)² is added: it changes nothing else and selects Σb = 0.
 * For K = 2 the result is converted to the one-row form (w₁ − w₀, b₁ − b₀).
 */
function newtonReference(x: Matrix, y: number[], K: number, lambda: number): { w: number[][]; b: number[] } {
  const { rows: n, cols: d } = x;
  const P = K * (d + 1); // θ = [w_0 (d) b_0, w_1 b_1, ...]
  const theta = new Array<number>(P).fill(0);
  const at = (k: number, j: number) => k * (d + 1) + j; // j = d is the bias
  for (let iter = 0; iter < 50; iter++) {
    const g = new Array<number>(P).fill(0);
    const H = Array.from({ length: P }, () => new Array<number>(P).fill(0));
    for (let i = 0; i < n; i++) {
      const xi = [...x.data.subarray(i * d, (i + 1) * d), 1];
      const z = Array.from({ length: K }, (_, k) => xi.reduce((s, v, j) => s + theta[at(k, j)] * v, 0));
      const mx = Math.max(...z);
      const e = z.map((v) => Math.exp(v - mx));
      const tot = e.reduce((s, v) => s + v, 0);
      const p = e.map((v) => v / tot);
      for (let k = 0; k < K; k++) {
        for (let j = 0; j <= d; j++) g[at(k, j)] += ((p[k] - (y[i] === k ? 1 : 0)) * xi[j]) / n;
        for (let l = 0; l < K; l++) {
          const c = (p[k] * ((k === l ? 1 : 0) - p[l])) / n;
          for (let j = 0; j <= d; j++) for (let m = 0; m <= d; m++) H[at(k, j)][at(l, m)] += c * xi[j] * xi[m];
        }
      }
    }
    let sumB = 0;
    for (let k = 0; k < K; k++) sumB += theta[at(k, d)];
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < d; j++) {
        g[at(k, j)] += lambda * theta[at(k, j)];
        H[at(k, j)][at(k, j)] += lambda;
      }
      g[at(k, d)] += sumB;
      for (let l = 0; l < K; l++) H[at(k, d)][at(l, d)] += 1;
    }
    const step = solve(H, g);
    for (let p = 0; p < P; p++) theta[p] -= step[p];
    if (Math.max(...step.map(Math.abs)) < 1e-13) break;
  }
  const w = Array.from({ length: K }, (_, k) => Array.from({ length: d }, (_, j) => theta[at(k, j)]));
  const b = Array.from({ length: K }, (_, k) => theta[at(k, d)]);
  if (K === 2) return { w: [w[1].map((v, j) => v - w[0][j])], b: [b[1] - b[0]] };
  return { w, b };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i]), `entry ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThan(tol);
}

describe('logistic regression', () => {
  it('binary: separable data reaches 100% and matches the Newton reference within 1e-4', () => {
    const { x, y } = clusters([[2, 0, 1], [-2, 1, -1]], 20, 0.6, 1);
    const m = fitLogistic(x, y, 2, { l2: 0.05 });
    expect(accuracy(predict(m, x), y)).toBe(1);
    // The one-row binary model with penalty λ is the two-row softmax with 2λ: at the optimum
    // w₀ = −w₁, so (2λ/2)(‖w₀‖² + ‖w₁‖²) = (λ/2)‖w₁ − w₀‖².
    const ref = newtonReference(x, y, 2, 2 * 0.05);
    expect(m.weights.rows).toBe(1);
    expectClose(m.weights.data, ref.w.flat(), 1e-4);
    expectClose(m.bias, ref.b, 1e-4);
  });

  it('multiclass softmax: separable data reaches 100% and matches the Newton reference within 1e-4', () => {
    const { x, y } = clusters([[3, 0, 0], [0, 3, 0], [0, 0, 3]], 15, 0.5, 2);
    const m = fitLogistic(x, y, 3, { l2: 0.02 });
    expect(accuracy(predict(m, x), y)).toBe(1);
    const ref = newtonReference(x, y, 3, 0.02);
    expectClose(m.weights.data, ref.w.flat(), 1e-4);
    expectClose(m.bias, ref.b, 1e-4);
  });

  it('is deterministic and rejects a missing penalty and bad labels with specific messages', () => {
    const { x, y } = clusters([[1, 1], [-1, -1]], 10, 1, 3);
    expect(Array.from(fitLogistic(x, y, 2).weights.data)).toEqual(Array.from(fitLogistic(x, y, 2).weights.data));
    expect(() => fitLogistic(x, y, 2, { l2: 0 })).toThrow(/l2 must be > 0/);
    expect(() => fitLogistic(x, y.map((c) => c * 2), 2)).toThrow(/label 2 of example 10 is not a class index in \[0, 2\)/);
  });
});

describe('naive Bayes and mean difference', () => {
  it('naive Bayes posteriors equal the closed form from Gaussian densities with pooled variance + 1e-9', () => {
    const { x, y } = clusters([[1, 0, 2, 0], [0, 1, 0, -1], [-1, -1, 1, 1]], 8, 0.8, 4);
    const K = 3;
    const d = x.cols;
    const n = x.rows;
    const mu = Array.from({ length: K }, (_, k) => Array.from({ length: d }, (_, j) => {
      const idx = y.flatMap((c, i) => (c === k ? [i] : []));
      return idx.reduce((s, i) => s + x.data[i * d + j], 0) / idx.length;
    }));
    const variance = Array.from({ length: d }, (_, j) => y.reduce((s, c, i) => s + (x.data[i * d + j] - mu[c][j]) ** 2, 0) / n + 1e-9);
    const m = fitNaiveBayes(x, y, K);
    const p = probabilities(m, x);
    for (let i = 0; i < n; i++) {
      const logJoint = Array.from({ length: K }, (_, k) => {
        let s = Math.log(y.filter((c) => c === k).length / n);
        for (let j = 0; j < d; j++) s += -0.5 * Math.log(2 * Math.PI * variance[j]) - (x.data[i * d + j] - mu[k][j]) ** 2 / (2 * variance[j]);
        return s;
      });
      const mx = Math.max(...logJoint);
      const z = logJoint.reduce((s, v) => s + Math.exp(v - mx), 0);
      expectClose(p.data.subarray(i * K, (i + 1) * K), logJoint.map((v) => Math.exp(v - mx) / z), 1e-9);
    }
  });

  it('binary naive Bayes is one row (class-1 log-odds); mean difference is μ₁ − μ₀ thresholded at the midpoint', () => {
    const { x, y } = clusters([[2, 0], [0, 2]], 6, 0.3, 5);
    expect(fitNaiveBayes(x, y, 2).weights.rows).toBe(1);
    const m = fitMeanDifference(x, y, 2);
    const mean = (k: number, j: number) => y.reduce((s, c, i) => s + (c === k ? x.data[i * 2 + j] : 0), 0) / 6;
    const w = [mean(1, 0) - mean(0, 0), mean(1, 1) - mean(0, 1)];
    expectClose(m.weights.data, w, 1e-12);
    const mid = [(mean(1, 0) + mean(0, 0)) / 2, (mean(1, 1) + mean(0, 1)) / 2];
    expect(m.bias[0]).toBeCloseTo(-(w[0] * mid[0] + w[1] * mid[1]), 12);
    expect(accuracy(predict(m, x), y)).toBe(1);
  });

  it('AUC is the Mann–Whitney statistic with ties counting one half', () => {
    expect(binaryAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBe(0.75);
    expect(binaryAuc([1, 1, 1, 1], [false, true, false, true])).toBe(0.5);
    expect(binaryAuc([1, 2], [true, true])).toBeNaN();
  });
});

describe('probes on stories260K (subject gender)', () => {
  it('beats the majority baseline on held-out templates and names at every layer; stored probes round-trip', async () => {
    const model = await loadFixtureModel('stories260K-hf');
    const dataset = subjectGenderDataset();
    const r = await probe(model, { dataset, position: 'mean', decodeTopK: 0 });
    expect(r.classes).toEqual(['girl', 'boy']);
    expect([r.nTrain, r.nTest]).toEqual([40, 56]);
    expect(r.layers.map((l) => l.layer)).toEqual([0, 1, 2, 3, 4]);
    for (const l of r.layers) {
      expect(l.testMajorityBaseline).toBe(0.5);
      // Measured 0.79–0.86; 0.15 above the 0.5 baseline leaves room for float drift, not for chance.
      expect(l.testAccuracy, `layer ${l.layer}`).toBeGreaterThan(l.testMajorityBaseline + 0.15);
      expect(l.testAuc, `layer ${l.layer}`).toBeGreaterThan(0.7);
    }
    expect(r.transfer).toHaveLength(5);

    // Stored probes: JSON round-trip, same predictions on fresh activations.
    const stored = probeFromJson(probeToJson(r.layers[4].probe));
    expect(stored).toEqual(r.layers[4].probe);
    await expect(probe(model, { dataset: { examples: dataset.examples.filter((e) => e.label === 'girl' || e.split === 'test') }, decodeTopK: 0 })).rejects.toThrow(/split has no example of class "boy"/);
    const bad = { ...stored, weights: [stored.weights[0].slice(1)] };
    expect(() => probeFromJson(JSON.stringify(bad))).toThrow(/weights row 0 has 63 entries, expected 64/);
    expect(() => probeFromJson({ ...stored, version: 2 })).toThrow(/version 1/);
    const x = matrix(1, 64, stored.mean);
    expect(applyProbe(stored, x).data[0] + applyProbe(stored, x).data[1]).toBeCloseTo(1, 12);
    expect(rawDirections(stored)[0]).toHaveLength(64);
  });

  it('at the last token the gender becomes linearly readable in the final layer; its direction decodes to he/she', async () => {
    const model = await loadFixtureModel('stories260K-hf');
    const r = await probe(model, { dataset: subjectGenderDataset(), position: 'last', layers: [4], decodeTopK: 5, transfer: false });
    expect(r.layers[0].testAccuracy).toBeGreaterThan(0.9); // measured 1.0
    // Class 1 is "boy": the direction promotes " He" and suppresses " she" (measured top-5:
    // " his", " He", …; bottom-5: " she", " She", " her", …).
    const decoded = r.layers[0].decoded![0];
    expect(decoded.top.map((t) => t.token)).toEqual(expect.arrayContaining([' He']));
    expect(decoded.bottom.map((t) => t.token)).toEqual(expect.arrayContaining([' she', ' She']));
  });

  it('dataset files are validated field by field', () => {
    expect(() => parseProbeDataset({ examples: [{ prompt: 'a', label: 'x' }, { label: 'y' }] })).toThrow(/examples\.1.*exactly one of "prompt" or "ids"/);
    expect(() => parseProbeDataset({ examples: [{ prompt: 'a', label: 'x', split: 'dev' }, { prompt: 'b', label: 'y' }] })).toThrow(/examples\.0\.split/);
  });
});
