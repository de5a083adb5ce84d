/**
 * Influence, pruning and the graph scores of an attribution graph (circuit-tracer's definitions,
 * Ameisen et al. 2025), on a dense adjacency matrix A[target][source] (row-major, n × n).
 *
 * Node order (fixed by the graph builder): features, error nodes, embeddings, logits. The graph is a
 * DAG in that order's causal sense (a node only receives from nodes at earlier layers or
 * positions), so powers of the normalised matrix vanish and influence is a finite sum.
 *
 *   normalised  Â = |A| with every row divided by its sum (rows of 0 stay 0)
 *   influence   w Â + w Â² + …, w = the logit nodes' probabilities (0 elsewhere): how much of the
 *               output each node explains through every path
 *   node prune  keep the nodes whose influence is within the top `nodeThreshold` of the total
 *               (cumulative, largest first); embeddings and logits always stay
 *   edge prune  on the matrix restricted to kept nodes, edge score = Â[t][s] · (influence[t] + w[t]);
 *               keep edges within the top `edgeThreshold` of the total score; then drop feature and
 *               error nodes left without outgoing edges, and features without incoming ones, until stable
 *   replacement score   token influence / (token + error influence): the share of the output that
 *                       reaches it from the input without passing through an error node
 *   completeness score  Σ_t (1 − error share of row t of Â) · (influence[t] + w[t]) / Σ (influence + w)
 */

export interface NodeLayout {
  readonly features: number;
  readonly errors: number;
  readonly embeddings: number;
  readonly logits: number;
}

export function nodeCount(layout: NodeLayout): number {
  return layout.features + layout.errors + layout.embeddings + layout.logits;
}

/** |A| with rows scaled to sum 1 (float64). */
export function normaliseRows(a: Float32Array | Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let t = 0; t < n; t++) {
    let sum = 0;
    for (let s = 0; s < n; s++) sum += Math.abs(a[t * n + s]);
    const inv = 1 / Math.max(sum, 1e-10);
    for (let s = 0; s < n; s++) out[t * n + s] = Math.abs(a[t * n + s]) * inv;
  }
  return out;
}

/** w Â + w Â² + … (w a row vector over nodes); throws if the matrix is not nilpotent within n steps. */
export function influence(normalised: Float64Array, n: number, weights: Float64Array): Float64Array {
  const total = new Float64Array(n);
  let current = vecMat(weights, normalised, n);
  for (let step = 0; step <= n; step++) {
    let any = false;
    for (let i = 0; i < n; i++) {
      total[i] += current[i];
      if (current[i] !== 0) any = true;
    }
    if (!any) return total;
    current = vecMat(current, normalised, n);
  }
  throw new Error(`attribution graph: influence did not vanish after ${n} steps (the adjacency matrix has a cycle)`);
}

function vecMat(v: Float64Array, m: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const vt = v[t];
    if (vt === 0) continue;
    const row = t * n;
    for (let s = 0; s < n; s++) out[s] += vt * m[row + s];
  }
  return out;
}

/**
 * The score at which the largest scores reach `fraction` of their total: keeping every score ≥ it
 * keeps that fraction of the total (circuit-tracer's find_threshold).
 */
export function thresholdFor(scores: ArrayLike<number>, fraction: number): number {
  const sorted = Float64Array.from(scores).sort().reverse();
  let total = 0;
  for (const s of sorted) total += s;
  if (sorted.length === 0) return 0;
  let cumulative = 0;
  for (let i = 0; i < sorted.length; i++) {
    cumulative += sorted[i];
    // searchsorted(cumsum / total, fraction): the first index whose cumulative share ≥ fraction.
    if (cumulative / total >= fraction) return sorted[i];
  }
  return sorted[sorted.length - 1];
}

export interface PruneResult {
  readonly nodeMask: Uint8Array;
  /** n × n, [target][source]. */
  readonly edgeMask: Uint8Array;
  /** Node influence (unnormalised). */
  readonly influence: Float64Array;
  /** Each node's cumulative share of the total influence when nodes are sorted by influence (largest first). */
  readonly cumulativeInfluence: Float64Array;
}

export interface GraphScores {
  readonly replacement: number;
  readonly completeness: number;
}

function logitWeights(layout: NodeLayout, probabilities: readonly number[]): Float64Array {
  const n = nodeCount(layout);
  if (probabilities.length !== layout.logits) throw new Error(`attribution graph: ${probabilities.length} logit probabilities for ${layout.logits} logit nodes`);
  const w = new Float64Array(n);
  probabilities.forEach((p, i) => (w[n - layout.logits + i] = p));
  return w;
}

function checkThreshold(name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) throw new Error(`attribution graph: ${name} must be in [0, 1], got ${value}`);
}

export function prune(a: Float32Array, layout: NodeLayout, probabilities: readonly number[], nodeThreshold: number, edgeThreshold: number): PruneResult {
  checkThreshold('nodeThreshold', nodeThreshold);
  checkThreshold('edgeThreshold', edgeThreshold);
  const n = nodeCount(layout);
  const w = logitWeights(layout, probabilities);
  const nodeInfluence = influence(normaliseRows(a, n), n, w);
  const nodeCut = thresholdFor(nodeInfluence, nodeThreshold);
  const nodeMask = new Uint8Array(n);
  const alwaysFrom = layout.features + layout.errors; // embeddings and logits
  for (let i = 0; i < n; i++) nodeMask[i] = i >= alwaysFrom || nodeInfluence[i] >= nodeCut ? 1 : 0;

  const pruned = new Float32Array(a);
  for (let t = 0; t < n; t++) {
    for (let s = 0; s < n; s++) if (!nodeMask[t] || !nodeMask[s]) pruned[t * n + s] = 0;
  }
  const prunedNorm = normaliseRows(pruned, n);
  const prunedInfluence = influence(prunedNorm, n, w);
  const edgeScores = new Float64Array(n * n);
  for (let t = 0; t < n; t++) {
    const rowWeight = prunedInfluence[t] + w[t];
    for (let s = 0; s < n; s++) edgeScores[t * n + s] = prunedNorm[t * n + s] * rowWeight;
  }
  const edgeCut = thresholdFor(edgeScores, edgeThreshold);
  const edgeMask = new Uint8Array(n * n);
  for (let i = 0; i < n * n; i++) edgeMask[i] = edgeScores[i] >= edgeCut && edgeScores[i] > 0 ? 1 : 0;

  // Feature and error nodes need an outgoing edge, features an incoming one; repeat until stable.
  const sourcesEnd = layout.features + layout.errors;
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < sourcesEnd; i++) {
      if (!nodeMask[i]) continue;
      let out = false;
      for (let t = 0; t < n && !out; t++) out = edgeMask[t * n + i] === 1;
      let inc = i >= layout.features;
      for (let s = 0; s < n && !inc; s++) inc = edgeMask[i * n + s] === 1;
      if (!out || !inc) {
        nodeMask[i] = 0;
        for (let k = 0; k < n; k++) edgeMask[i * n + k] = edgeMask[k * n + i] = 0;
        changed = true;
      }
    }
  }

  const order = Array.from(nodeInfluence.keys()).sort((x, y) => nodeInfluence[y] - nodeInfluence[x]);
  let total = 0;
  for (const v of nodeInfluence) total += v;
  const cumulativeInfluence = new Float64Array(n);
  let running = 0;
  for (const i of order) {
    running += nodeInfluence[i];
    cumulativeInfluence[i] = total > 0 ? running / total : 0;
  }
  return { nodeMask, edgeMask, influence: nodeInfluence, cumulativeInfluence };
}

/** Replacement and completeness scores of the unpruned graph. */
export function graphScores(a: Float32Array, layout: NodeLayout, probabilities: readonly number[]): GraphScores {
  const n = nodeCount(layout);
  const w = logitWeights(layout, probabilities);
  const norm = normaliseRows(a, n);
  const inf = influence(norm, n, w);
  const errorStart = layout.features;
  const errorEnd = errorStart + layout.errors;
  const tokenEnd = errorEnd + layout.embeddings;
  let tokenInfluence = 0;
  let errorInfluence = 0;
  for (let i = errorStart; i < errorEnd; i++) errorInfluence += inf[i];
  for (let i = errorEnd; i < tokenEnd; i++) tokenInfluence += inf[i];
  let weighted = 0;
  let totalOut = 0;
  for (let t = 0; t < n; t++) {
    let errorShare = 0;
    for (let s = errorStart; s < errorEnd; s++) errorShare += norm[t * n + s];
    const out = inf[t] + w[t];
    weighted += (1 - errorShare) * out;
    totalOut += out;
  }
  return {
    replacement: tokenInfluence + errorInfluence > 0 ? tokenInfluence / (tokenInfluence + errorInfluence) : 1,
    completeness: totalOut > 0 ? weighted / totalOut : 1,
  };
}
