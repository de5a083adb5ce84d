/**
 * Comparing against goldens with the llm.c-style tolerance |a − b| ≤ atol + rtol·|b|; masked
 * entries (JSON null = −∞) must match exactly. Browser-safe (no Node imports).
 */
export type Nested = number | null | Nested[];

export interface ReferenceInput {
  readonly name: string;
  readonly text: string | null;
  readonly input_ids: number[];
  readonly loss: number;
  readonly logits?: Nested;
  readonly logits_positions?: number[];
  readonly logits_at_positions?: Nested;
  readonly top10_ids?: number[][];
  readonly top10_logits?: number[][];
  readonly cache: Record<string, Nested>;
}

export interface Reference {
  readonly n_layers: number;
  readonly d_vocab: number;
  readonly inputs: ReferenceInput[];
  readonly methods: Record<string, unknown> & { position: number };
  readonly greedy_from_bos?: { prompt_ids: number[]; new_tokens: number[]; text: string };
}

export function flatten(x: Nested): { data: Float64Array; shape: number[] } {
  const shape: number[] = [];
  let probe: Nested = x;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const out: number[] = [];
  const walk = (v: Nested) => (Array.isArray(v) ? v.forEach(walk) : out.push(v === null ? -Infinity : v));
  walk(x);
  return { data: Float64Array.from(out), shape };
}

export interface Mismatch {
  readonly index: number;
  readonly actual: number;
  readonly expected: number;
}

/** Worst violation of |a − b| ≤ atol + rtol·|b|, or null when all entries pass. */
export function worstMismatch(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-4, rtol = 1e-4): Mismatch | null {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ expected ${expected.length}`);
  let worst: Mismatch | null = null;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const b = expected[i];
    if (!Number.isFinite(b) || !Number.isFinite(a)) {
      if (a !== b) return { index: i, actual: a, expected: b };
      continue;
    }
    const excess = Math.abs(a - b) - (atol + rtol * Math.abs(b));
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = { index: i, actual: a, expected: b };
    }
  }
  return worst;
}

/** Largest |a − b| over finite entries (for reporting). */
export function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < expected.length; i++) {
    if (Number.isFinite(expected[i])) m = Math.max(m, Math.abs(actual[i] - expected[i]));
  }
  return m;
}
