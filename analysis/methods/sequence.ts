/**
 * Single-sequence helpers shared by the methods: every method here analyses one token sequence
 * (batch 1) at one or more positions, and states positions the same way.
 */
import type { Model } from '../model/model.ts';
import type { ModelInput } from '../model/run.ts';
import { tokenize } from '../model/run.ts';

/** The token ids of a one-sequence input (text is tokenized with the model's tokenizer). */
export function oneSequence(model: Model, input: ModelInput, prependBos?: boolean, what = 'input'): number[] {
  const rows = tokenize(model, input, prependBos);
  if (rows.length !== 1) throw new Error(`${what}: expected one sequence, got ${rows.length}`);
  return rows[0];
}

/**
 * An absolute position in a sequence of `length` tokens. Negative positions count from the end
 * (−1 = last, the default), as in Python indexing.
 */
export function resolvePosition(pos: number | undefined, length: number, what = 'pos'): number {
  const p = pos ?? -1;
  const absolute = p < 0 ? length + p : p;
  if (!Number.isInteger(p) || absolute < 0 || absolute >= length) {
    throw new Error(`${what} ${p} is outside a sequence of ${length} tokens (use 0..${length - 1}, or −1 for the last)`);
  }
  return absolute;
}

/** One row of a [batch=1, pos, width] activation as a view. */
export function rowAt(data: Float32Array, pos: number, width: number): Float32Array {
  return data.subarray(pos * width, (pos + 1) * width);
}
