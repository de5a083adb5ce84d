/**
 * Differentiable scalar metrics of the logits: the value and its gradient with respect to the
 * logits, both computed on the host (the backward pass uploads the gradient as its seed).
 *
 * Batch convention: a metric of a batch is the mean over its rows, so a batch of one is the plain
 * value. Positions index the (left-padded) sequence; negative positions count from the end
 * (−1 = the last position, which is a real token in every row).
 */
import type { HostActivation } from '../hooks/interventions.ts';

export interface MetricEvaluation {
  readonly value: number;
  /** ∂value/∂logits, shaped like the logits it was given. */
  readonly grad: Float32Array;
}

export interface DifferentiableMetric {
  /** Human-readable definition, e.g. "logit[5] − logit[9] at position −1". */
  readonly label: string;
  /**
   * Which logits the metric reads: 'last' = only the last position (the forward pass then
   * unembeds one row: [batch, 1, vocab]); 'all' = every position ([batch, pos, vocab]).
   */
  readonly reads: 'last' | 'all';
  evaluate(logits: HostActivation): MetricEvaluation;
}

function checkToken(what: string, id: number, vocab: number): void {
  if (!Number.isInteger(id) || id < 0 || id >= vocab) throw new Error(`${what}: token id ${id} is outside the vocabulary [0, ${vocab})`);
}

/** Local index of `pos` in logits [batch, n, vocab] (n = 1 when the metric reads 'last'). */
function localPosition(pos: number, reads: 'last' | 'all', n: number, what: string): number {
  if (reads === 'last') return 0;
  const at = pos < 0 ? n + pos : pos;
  if (!Number.isInteger(at) || at < 0 || at >= n) throw new Error(`${what}: position ${pos} is outside the sequence [0, ${n})`);
  return at;
}

/**
 * Σ_t weight_t · logit[t] at one position, averaged over batch rows: the common form of
 * `logitOf`, `logitDiff` and any fixed direction in vocabulary space.
 */
function linearMetric(label: string, terms: readonly (readonly [token: number, weight: number])[], pos: number): DifferentiableMetric {
  const reads = pos === -1 ? 'last' : 'all';
  return {
    label,
    reads,
    evaluate(logits) {
      const [batch, n, vocab] = logits.shape;
      if (logits.shape.length !== 3) throw new Error(`${label}: logits must be [batch, pos, vocab], got [${logits.shape}]`);
      for (const [t] of terms) checkToken(label, t, vocab);
      const at = localPosition(pos, reads, n, label);
      const grad = new Float32Array(logits.data.length);
      let value = 0;
      for (let r = 0; r < batch; r++) {
        const row = (r * n + at) * vocab;
        for (const [t, w] of terms) {
          value += (w * logits.data[row + t]) / batch;
          grad[row + t] += w / batch;
        }
      }
      return { value, grad };
    },
  };
}

/** logits[pos, token] (mean over batch rows). */
export function logitOf(token: number, pos = -1): DifferentiableMetric {
  return linearMetric(`logit[${token}] at position ${pos}`, [[token, 1]], pos);
}

/** logits[pos, a] − logits[pos, b] (mean over batch rows): METHODS.md's default metric LD. */
export function logitDiff(a: number, b: number, pos = -1): DifferentiableMetric {
  return linearMetric(`logit[${a}] − logit[${b}] at position ${pos}`, [[a, 1], [b, -1]], pos);
}

/**
 * ⟨v, logits⟩ over every position and vocabulary entry, v [pos, vocab] (mean over batch rows):
 * a general direction in logit space (LinearScope pull-backs, adjoint checks).
 */
export function logitDirection(v: HostActivation): DifferentiableMetric {
  if (v.shape.length !== 2) throw new Error(`logitDirection: v must be [pos, vocab], got [${v.shape}]`);
  const [nPos, nVocab] = v.shape;
  return {
    label: `⟨v, logits⟩ with v [${nPos}, ${nVocab}]`,
    reads: 'all',
    evaluate(logits) {
      const [batch, n, vocab] = logits.shape;
      if (n !== nPos || vocab !== nVocab) throw new Error(`logitDirection: v is [${nPos}, ${nVocab}], the logits are [${batch}, ${n}, ${vocab}]`);
      const grad = new Float32Array(logits.data.length);
      let value = 0;
      const m = n * vocab;
      for (let r = 0; r < batch; r++) {
        for (let i = 0; i < m; i++) {
          value += (v.data[i] * logits.data[r * m + i]) / batch;
          grad[r * m + i] = v.data[i] / batch;
        }
      }
      return { value, grad };
    },
  };
}
