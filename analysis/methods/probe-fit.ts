/**
 * The fitting half of linear probes (METHODS.md, "Linear probes"): standardisation, logistic
 * regression (softmax, L2, full-batch L-BFGS), Gaussian naive Bayes with a shared diagonal
 * variance, the mean-difference direction, and the metrics (accuracy, AUC). Pure host math in
 * float64; nothing here knows about models.
 *
 * Layout: a feature matrix is row-major `[example, feature]`. Every fitted probe is linear in
 * the standardised features and stored as `rows` logit rows:
 *   - binary (2 classes): one row, the logit of class 1 against class 0 (p1 = σ(w·x + b));
 *   - multiclass (K > 2): K rows, p = softmax(Wx + b).
 * One row for binary keeps L2-regularised logistic regression identical to the textbook
 * (and scikit-learn) binary model rather than a redundant two-row softmax.
 */

export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** [rows, cols] row-major. */
  readonly data: Float64Array;
}

export function matrix(rows: number, cols: number, data?: ArrayLike<number>): Matrix {
  if (data && data.length !== rows * cols) throw new Error(`matrix: ${data.length} values do not fill [${rows}, ${cols}]`);
  return { rows, cols, data: data ? Float64Array.from(data) : new Float64Array(rows * cols) };
}

/** Per-feature mean and standard deviation of the training set (population std; 1 where constant). */
export interface Standardizer {
  readonly mean: Float64Array; // [feature]
  readonly std: Float64Array; // [feature]
}

export function fitStandardizer(x: Matrix): Standardizer {
  const mean = new Float64Array(x.cols);
  const std = new Float64Array(x.cols);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) mean[j] += x.data[i * x.cols + j];
  for (let j = 0; j < x.cols; j++) mean[j] /= x.rows;
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.cols; j++) {
      const d = x.data[i * x.cols + j] - mean[j];
      std[j] += d * d;
    }
  }
  // A constant feature carries no information; dividing by 1 keeps it at 0 instead of NaN.
  for (let j = 0; j < x.cols; j++) std[j] = std[j] > 0 ? Math.sqrt(std[j] / x.rows) : 1;
  return { mean, std };
}

export function standardize(x: Matrix, s: Standardizer): Matrix {
  if (s.mean.length !== x.cols) throw new Error(`standardize: ${x.cols} features, the standardiser has ${s.mean.length}`);
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.cols; j++) out[i * x.cols + j] = (x.data[i * x.cols + j] - s.mean[j]) / s.std[j];
  }
  return { rows: x.rows, cols: x.cols, data: out };
}

/** A linear classifier over standardised features (see the module comment for `rows`). */
export interface LinearModel {
  readonly classes: number;
  /** [rows, feature], rows = 1 for binary, `classes` otherwise. */
  readonly weights: Matrix;
  /** [rows] */
  readonly bias: Float64Array;
}

function checkLabels(y: readonly number[], n: number, classes: number): void {
  if (y.length !== n) throw new Error(`probe: ${y.length} labels for ${n} examples`);
  if (classes < 2) throw new Error(`probe: need at least 2 classes, got ${classes}`);
  y.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0 || c >= classes) throw new Error(`probe: label ${c} of example ${i} is not a class index in [0, ${classes})`);
  });
}

/** Raw scores [example, rows] = x Wᵀ + b. */
export function logits(m: LinearModel, x: Matrix): Matrix {
  const { weights: w, bias } = m;
  if (w.cols !== x.cols) throw new Error(`probe: model has ${w.cols} features, the data ${x.cols}`);
  const out = new Float64Array(x.rows * w.rows);
  for (let i = 0; i < x.rows; i++) {
    for (let r = 0; r < w.rows; r++) {
      let s = bias[r];
      for (let j = 0; j < x.cols; j++) s += w.data[r * w.cols + j] * x.data[i * x.cols + j];
      out[i * w.rows + r] = s;
    }
  }
  return { rows: x.rows, cols: w.rows, data: out };
}

/** Class probabilities [example, class]. */
export function probabilities(m: LinearModel, x: Matrix): Matrix {
  const z = logits(m, x);
  const K = m.classes;
  const out = new Float64Array(x.rows * K);
  for (let i = 0; i < x.rows; i++) {
    if (z.cols === 1) {
      const p1 = sigmoid(z.data[i]);
      out[i * 2] = 1 - p1;
      out[i * 2 + 1] = p1;
    } else {
      softmaxInto(z.data.subarray(i * K, (i + 1) * K), out.subarray(i * K, (i + 1) * K));
    }
  }
  return { rows: x.rows, cols: K, data: out };
}

export function predict(m: LinearModel, x: Matrix): number[] {
  const p = probabilities(m, x);
  return Array.from({ length: x.rows }, (_, i) => argmaxRow(p.data.subarray(i * p.cols, (i + 1) * p.cols)));
}

function argmaxRow(row: Float64Array): number {
  let best = 0;
  for (let k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
  return best;
}

function sigmoid(z: number): number {
  // Two branches so neither exp overflows for large |z|.
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function softmaxInto(z: Float64Array, out: Float64Array): void {
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v);
  let s = 0;
  for (let k = 0; k < z.length; k++) s += (out[k] = Math.exp(z[k] - max));
  for (let k = 0; k < z.length; k++) out[k] /= s;
}

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

export interface LogisticOptions {
  /** λ in (1/n)·Σ cross-entropy + (λ/2)·‖W‖² (the bias is not penalised). Default 1e-2. */
  readonly l2?: number;
  /** Stop when the largest gradient entry is below this (default 1e-10). */
  readonly tolerance?: number;
  readonly maxIterations?: number;
}

/**
 * Logistic regression by full-batch L-BFGS (memory 10, backtracking Armijo line search) from
 * zero weights: deterministic, no randomness anywhere. With λ > 0 the objective is strictly
 * convex in W, so the optimum is unique and independent of the algorithm; for multiclass the
 * biases are only defined up to a common shift and are returned centred (Σ b = 0).
 */
export function fitLogistic(x: Matrix, y: readonly number[], classes: number, options: LogisticOptions = {}): LinearModel {
  checkLabels(y, x.rows, classes);
  const lambda = options.l2 ?? 1e-2;
  if (!(lambda > 0)) throw new Error(`fitLogistic: l2 must be > 0 (got ${lambda}); without it separable data has no finite optimum`);
  const R = classes === 2 ? 1 : classes;
  const d = x.cols;
  const n = x.rows;
  // Parameters θ = [W (R·d) | b (R)].
  const objective = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    const z = new Float64Array(R);
    const p = new Float64Array(R);
    for (let i = 0; i < n; i++) {
      const xi = x.data.subarray(i * d, (i + 1) * d);
      for (let r = 0; r < R; r++) {
        let s = theta[R * d + r];
        for (let j = 0; j < d; j++) s += theta[r * d + j] * xi[j];
        z[r] = s;
      }
      if (R === 1) {
        loss += y[i] === 1 ? softplus(-z[0]) : softplus(z[0]);
        p[0] = sigmoid(z[0]) - y[i];
      } else {
        softmaxInto(z, p);
        loss -= Math.log(Math.max(p[y[i]], 1e-300));
        p[y[i]] -= 1;
      }
      for (let r = 0; r < R; r++) {
        const e = p[r] / n;
        for (let j = 0; j < d; j++) grad[r * d + j] += e * xi[j];
        grad[R * d + r] += e;
      }
    }
    loss /= n;
    for (let k = 0; k < R * d; k++) {
      loss += 0.5 * lambda * theta[k] * theta[k];
      grad[k] += lambda * theta[k];
    }
    return loss;
  };
  const theta = lbfgs(objective, new Float64Array(R * d + R), options.tolerance ?? 1e-10, options.maxIterations ?? 2000);
  const bias = theta.slice(R * d);
  if (R > 1) {
    const mean = bias.reduce((a, v) => a + v, 0) / R;
    for (let r = 0; r < R; r++) bias[r] -= mean;
  }
  return { classes, weights: { rows: R, cols: d, data: theta.slice(0, R * d) }, bias };
}

/** Limited-memory BFGS minimiser; returns the parameters at convergence (or the iteration cap). */
function lbfgs(f: (theta: Float64Array, grad: Float64Array) => number, start: Float64Array, tolerance: number, maxIterations: number): Float64Array {
  const m = 10;
  const dim = start.length;
  let x = Float64Array.from(start);
  let g = new Float64Array(dim);
  let fx = f(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const dot = (a: Float64Array, b: Float64Array) => {
    let s = 0;
    for (let i = 0; i < dim; i++) s += a[i] * b[i];
    return s;
  };
  const maxAbs = (a: Float64Array) => a.reduce((mx, v) => Math.max(mx, Math.abs(v)), 0);
  for (let iter = 0; iter < maxIterations && maxAbs(g) > tolerance; iter++) {
    // Two-loop recursion: direction = −H·g.
    const q = Float64Array.from(g);
    const alpha = new Array<number>(S.length);
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = rho[k] * dot(S[k], q);
      for (let i = 0; i < dim; i++) q[i] -= alpha[k] * Y[k][i];
    }
    const gamma = S.length > 0 ? dot(S[S.length - 1], Y[Y.length - 1]) / dot(Y[Y.length - 1], Y[Y.length - 1]) : 1 / Math.max(1, maxAbs(g));
    for (let i = 0; i < dim; i++) q[i] *= gamma;
    for (let k = 0; k < S.length; k++) {
      const beta = rho[k] * dot(Y[k], q);
      for (let i = 0; i < dim; i++) q[i] += S[k][i] * (alpha[k] - beta);
    }
    const dir = q.map((v) => -v);
    let slope = dot(g, dir);
    if (slope >= 0) {
      // Not a descent direction (can happen after numerical trouble): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let i = 0; i < dim; i++) dir[i] = -g[i];
      slope = dot(g, dir);
    }
    let step = 1;
    const xNew = new Float64Array(dim);
    const gNew = new Float64Array(dim);
    let fNew = Infinity;
    for (let tries = 0; tries < 60; tries++) {
      for (let i = 0; i < dim; i++) xNew[i] = x[i] + step * dir[i];
      fNew = f(xNew, gNew);
      if (fNew <= fx + 1e-4 * step * slope) break;
      step /= 2;
    }
    if (!(fNew < fx) && !(fNew === fx && maxAbs(gNew) < maxAbs(g))) break; // no progress possible at f64 precision
    const s = xNew.map((v, i) => v - x[i]);
    const yv = gNew.map((v, i) => v - g[i]);
    const sy = dot(s, yv);
    if (sy > 1e-300) {
      S.push(s);
      Y.push(yv);
      rho.push(1 / sy);
      if (S.length > m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
    }
    x = Float64Array.from(xNew);
    g = Float64Array.from(gNew);
    fx = fNew;
  }
  return x;
}

/** Per-class counts, in class order. */
function classCounts(y: readonly number[], classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const c of y) counts[c]++;
  return counts;
}

function classMeans(x: Matrix, y: readonly number[], classes: number): Float64Array[] {
  const counts = classCounts(y, classes);
  const means = Array.from({ length: classes }, () => new Float64Array(x.cols));
  y.forEach((c, i) => {
    for (let j = 0; j < x.cols; j++) means[c][j] += x.data[i * x.cols + j];
  });
  means.forEach((m, c) => {
    if (counts[c] === 0) throw new Error(`probe: class ${c} has no training examples`);
    for (let j = 0; j < x.cols; j++) m[j] /= counts[c];
  });
  return means;
}

/** The shared diagonal variance of naive Bayes: pooled within-class (MLE, divided by n) + 1e-9. */
export const NAIVE_BAYES_VAR_EPS = 1e-9;

/**
 * Gaussian naive Bayes with one diagonal variance shared by all classes. The posterior is then
 * linear: log p(k|x) = log π_k − Σ_j (x_j − μ_kj)² / (2σ_j²) + const, so
 * w_kj = μ_kj / σ_j², b_k = log π_k − Σ_j μ_kj² / (2σ_j²), π_k the class frequency.
 */
export function fitNaiveBayes(x: Matrix, y: readonly number[], classes: number): LinearModel {
  checkLabels(y, x.rows, classes);
  const means = classMeans(x, y, classes);
  const counts = classCounts(y, classes);
  const variance = new Float64Array(x.cols);
  y.forEach((c, i) => {
    for (let j = 0; j < x.cols; j++) {
      const d = x.data[i * x.cols + j] - means[c][j];
      variance[j] += d * d;
    }
  });
  for (let j = 0; j < x.cols; j++) variance[j] = variance[j] / x.rows + NAIVE_BAYES_VAR_EPS;
  const W = new Float64Array(classes * x.cols);
  const b = new Float64Array(classes);
  for (let k = 0; k < classes; k++) {
    b[k] = Math.log(counts[k] / x.rows);
    for (let j = 0; j < x.cols; j++) {
      W[k * x.cols + j] = means[k][j] / variance[j];
      b[k] -= (means[k][j] * means[k][j]) / (2 * variance[j]);
    }
  }
  return reduceBinary({ classes, weights: { rows: classes, cols: x.cols, data: W }, bias: b });
}

/**
 * Mean-difference direction. Binary: w = μ₁ − μ₀ with the threshold at the midpoint of the class
 * means, b = −w·(μ₁ + μ₀)/2. Multiclass: one-vs-rest, w_k = μ_k − μ_rest(k), b_k = −w_k·(μ_k + μ_rest(k))/2.
 * Scores are projections, not calibrated log-odds; accuracy and AUC only use their order.
 */
export function fitMeanDifference(x: Matrix, y: readonly number[], classes: number): LinearModel {
  checkLabels(y, x.rows, classes);
  const means = classMeans(x, y, classes);
  const counts = classCounts(y, classes);
  const total = new Float64Array(x.cols);
  means.forEach((m, c) => m.forEach((v, j) => (total[j] += v * counts[c])));
  const rows = classes === 2 ? 1 : classes;
  const W = new Float64Array(rows * x.cols);
  const b = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const k = classes === 2 ? 1 : r;
    const other = classes === 2 ? means[0] : total.map((v, j) => (v - means[k][j] * counts[k]) / (x.rows - counts[k]));
    for (let j = 0; j < x.cols; j++) {
      const w = means[k][j] - other[j];
      W[r * x.cols + j] = w;
      b[r] -= (w * (means[k][j] + other[j])) / 2;
    }
  }
  return { classes, weights: { rows, cols: x.cols, data: W }, bias: b };
}

/** A K-row binary model as the equivalent one-row model (logit of class 1 minus class 0). */
function reduceBinary(m: LinearModel): LinearModel {
  if (m.classes !== 2 || m.weights.rows === 1) return m;
  const d = m.weights.cols;
  const w = new Float64Array(d);
  for (let j = 0; j < d; j++) w[j] = m.weights.data[d + j] - m.weights.data[j];
  return { classes: 2, weights: { rows: 1, cols: d, data: w }, bias: Float64Array.of(m.bias[1] - m.bias[0]) };
}

export function accuracy(predicted: readonly number[], y: readonly number[]): number {
  if (y.length === 0) return NaN;
  return predicted.reduce((a, p, i) => a + (p === y[i] ? 1 : 0), 0) / y.length;
}

/** Fraction of the most frequent class (the majority baseline's accuracy). */
export function majorityRate(y: readonly number[], classes: number): number {
  if (y.length === 0) return NaN;
  return Math.max(...classCounts(y, classes)) / y.length;
}

/**
 * ROC AUC of `scores` for `positive` (1) against the rest (0): the Mann–Whitney probability
 * that a random positive outscores a random negative, ties counting ½. NaN without both kinds.
 */
export function binaryAuc(scores: readonly number[], positive: readonly boolean[]): number {
  const idx = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  // Average ranks over tied groups.
  const rank = new Float64Array(scores.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    for (let k = i; k <= j; k++) rank[idx[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let nPos = 0;
  let rankSum = 0;
  positive.forEach((p, i) => {
    if (p) {
      nPos++;
      rankSum += rank[i];
    }
  });
  const nNeg = scores.length - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** AUC: binary on the class-1 score; multiclass the macro mean of one-vs-rest AUCs on p_k. */
export function auc(m: LinearModel, x: Matrix, y: readonly number[]): number {
  if (m.classes === 2) {
    const z = logits(m, x);
    return binaryAuc(Array.from(z.data), y.map((c) => c === 1));
  }
  const p = probabilities(m, x);
  const per: number[] = [];
  for (let k = 0; k < m.classes; k++) {
    const a = binaryAuc(Array.from({ length: x.rows }, (_, i) => p.data[i * p.cols + k]), y.map((c) => c === k));
    if (!Number.isNaN(a)) per.push(a);
  }
  return per.length ? per.reduce((s, v) => s + v, 0) / per.length : NaN;
}
