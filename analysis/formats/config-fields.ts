/**
 * The config.json field types and helpers every model family's parser shares (config.ts and
 * the family modules), kept apart so those modules can import them without a cycle.
 */
import { z } from 'zod';
import type { Activation } from '../model/spec.ts';
import { ModelFormatError } from './errors.ts';

export const CONFIG_FILE = 'config.json';

/** Sizes and counts: positive integers that fit the 32-bit indexing of every backend. */
export const count = z.number().int().positive().max(2 ** 31 - 1);
export const positive = z.number().positive();
/**
 * RoPE base: frequencies are theta^(-2i/d), so a theta at or below 1 gives no decay (or, near 0,
 * overflows to Infinity and NaN logits). Published models use 1e4 … 1e8; 1e12 leaves room.
 */
export const ROPE_THETA_RANGE = { min: 1, max: 1e12 } as const;
export const ropeTheta = z
  .number()
  .gt(ROPE_THETA_RANGE.min, { error: `must be above ${ROPE_THETA_RANGE.min} and at most ${ROPE_THETA_RANGE.max}` })
  .max(ROPE_THETA_RANGE.max, { error: `must be above ${ROPE_THETA_RANGE.min} and at most ${ROPE_THETA_RANGE.max}` });
/** Normalisation epsilon: positive and small; 1 or more would swamp the variance it guards. */
export const epsilon = z.number().positive().lt(1);

/**
 * transformers' ACT2FN names → the activations the backends implement. A Map, not an object
 * literal: the name comes from the file, and "constructor" or "__proto__" must not find
 * Object.prototype's members.
 */
const ACTIVATIONS: ReadonlyMap<string, Activation> = new Map<string, Activation>([
  ['gelu_new', 'gelu_tanh'],
  ['gelu_pytorch_tanh', 'gelu_tanh'],
  // gelu_fast is 0.5x(1 + tanh(0.7978845608·x·(1 + 0.044715x²))): the same function as gelu_new.
  ['gelu_fast', 'gelu_tanh'],
  ['gelu', 'gelu_erf'],
  ['gelu_python', 'gelu_erf'],
  ['relu', 'relu'],
  ['silu', 'silu'],
  ['swish', 'silu'],
]);

/** Runs a schema; failures become one message listing each bad field. */
export function parseWith<S extends z.ZodType>(schema: S, json: unknown, file: string): z.output<S> {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) =>
    issue.path.length === 0 ? issue.message : `"${issue.path.join('.')}": ${issue.message}`,
  );
  throw new ModelFormatError(`${file}: ${problems.join('; ')}`);
}

export function activation(name: string, field: string): Activation {
  const act = ACTIVATIONS.get(name);
  if (act === undefined) {
    throw new ModelFormatError(
      `${CONFIG_FILE}: ${field} "${name}" is not supported (supported: ${[...ACTIVATIONS.keys()].join(', ')})`,
    );
  }
  return act;
}

export function headDim(hidden: number, heads: number, modelType: string): number {
  if (hidden % heads !== 0) {
    throw new ModelFormatError(
      `${CONFIG_FILE}: ${modelType} hidden size ${hidden} is not divisible by the ${heads} attention heads`,
    );
  }
  return hidden / heads;
}
