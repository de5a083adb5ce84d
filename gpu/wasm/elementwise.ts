/**
 * Binary elementwise ops for the fast CPU backend in plain JavaScript: one monomorphic loop per
 * op (the reference's single loop calls a closure per element). Results are bit-identical to the
 * reference's: each op is computed in float64 and rounded to f32 once, which for +, −, ×, ÷ of
 * f32 operands is the correctly rounded f32 result either way. Data stays in JavaScript memory,
 * where the activations live, so there is nothing to copy.
 */
import { sameShape } from '../backend.ts';

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';

/** Whether `b` broadcasts onto `a` as the same shape or a suffix of it (repeating every b.length). */
export function broadcastsAsSuffix(a: readonly number[], b: readonly number[]): boolean {
  return b.length <= a.length && sameShape(b, a.slice(a.length - b.length));
}

/** a op b, b the same length as a or a suffix of it. */
export function binaryF32(op: BinaryOp, a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  const n = b.length;
  if (n === 0) return out;
  for (let o = 0; o < a.length; o += n) {
    switch (op) {
      case 'add':
        for (let j = 0; j < n; j++) out[o + j] = a[o + j] + b[j];
        break;
      case 'sub':
        for (let j = 0; j < n; j++) out[o + j] = a[o + j] - b[j];
        break;
      case 'mul':
        for (let j = 0; j < n; j++) out[o + j] = a[o + j] * b[j];
        break;
      case 'div':
        for (let j = 0; j < n; j++) out[o + j] = a[o + j] / b[j];
        break;
    }
  }
  return out;
}
