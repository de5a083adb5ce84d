/**
 * RoPE settings of a config.json, from the legacy fields (`rope_theta`, `rope_scaling`,
 * `partial_rotary_factor`) or transformers v5's `rope_parameters` (which wins when present).
 * Implemented scalings: none ("default"), "linear", "llama3", and Phi-3's "longrope" / "su"
 * (short and long factors). Anything else fails naming the field, since a
 * model that loads must compute what transformers computes.
 */
import type { RopeScaling } from '../model/spec.ts';
import { ROPE_THETA_RANGE } from './config-fields.ts';
import { ModelFormatError } from './errors.ts';

const FILE = 'config.json';

type Json = Readonly<Record<string, unknown>>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own-property lookup: a key like "__proto__" or "constructor" never reaches Object.prototype. */
export function own(obj: Json, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function fail(field: string, message: string): never {
  throw new ModelFormatError(`${FILE}: ${field} ${message}`);
}

function positiveNumber(obj: Json, key: string, where: string): number {
  const v = own(obj, key);
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    fail(`${where}.${key}`, v === undefined ? 'is missing' : `is ${JSON.stringify(v)}; expected a positive number`);
  }
  return v;
}

function optionalPositive(obj: Json, key: string, where: string): number | undefined {
  const v = own(obj, key);
  return v === undefined || v === null ? undefined : positiveNumber(obj, key, where);
}

/** rope_theta, when given, inside ROPE_THETA_RANGE (a tiny theta overflows to NaN logits). */
function optionalTheta(obj: Json, where: string): number | undefined {
  const theta = optionalPositive(obj, 'rope_theta', where);
  if (theta !== undefined && !(theta > ROPE_THETA_RANGE.min && theta <= ROPE_THETA_RANGE.max)) {
    fail(`${where}.rope_theta`, `is ${theta}; must be above ${ROPE_THETA_RANGE.min} and at most ${ROPE_THETA_RANGE.max}`);
  }
  return theta;
}

export interface RopeContext {
  /** Rotary dims per head (head_dim · partial_rotary_factor). */
  readonly rotaryDims: number;
  readonly maxPositions: number;
  /** config.json's top-level original_max_position_embeddings (Phi-3 keeps it there). */
  readonly originalMaxPositions?: number;
}

export interface RopeConfig {
  readonly theta: number;
  readonly scaling: RopeScaling | null;
  /** Where the settings were read from, for messages. */
  readonly field: string;
}

/**
 * Parses one scaling object (`rope_scaling`, or a `rope_parameters` entry) named `field`.
 * Returns null for no scaling.
 */
export function parseRopeScaling(raw: unknown, field: string, ctx: RopeContext): RopeScaling | null {
  if (raw === undefined || raw === null) return null;
  if (!isObject(raw)) fail(field, `is ${JSON.stringify(raw)}; expected an object or null`);
  const type = own(raw, 'rope_type') ?? own(raw, 'type');
  if (type === undefined || type === 'default') return null;
  switch (type) {
    case 'linear':
      return { type: 'linear', factor: positiveNumber(raw, 'factor', field) };
    case 'llama3': {
      const low = positiveNumber(raw, 'low_freq_factor', field);
      const high = positiveNumber(raw, 'high_freq_factor', field);
      if (high <= low) fail(`${field}.high_freq_factor`, `${high} must be above low_freq_factor ${low}`);
      return {
        type: 'llama3',
        factor: positiveNumber(raw, 'factor', field),
        lowFreqFactor: low,
        highFreqFactor: high,
        originalMaxPositions: positiveNumber(raw, 'original_max_position_embeddings', field),
      };
    }
    case 'longrope':
    case 'su': {
      const half = ctx.rotaryDims / 2;
      const factors = (key: string): number[] => {
        const v = own(raw, key);
        if (!Array.isArray(v) || v.length !== half || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0)) {
          fail(`${field}.${key}`, `must list ${half} positive numbers (one per rotary frequency, rotary dims ${ctx.rotaryDims}); got ${Array.isArray(v) ? `${v.length} entries` : JSON.stringify(v)}`);
        }
        return v as number[];
      };
      const shortFactors = factors('short_factor');
      const longFactors = factors('long_factor');
      const original = optionalPositive(raw, 'original_max_position_embeddings', field) ?? ctx.originalMaxPositions;
      if (original === undefined) fail(`${field}.original_max_position_embeddings`, 'is missing (longrope needs it)');
      // transformers: factor = max_position_embeddings / original (or rope_scaling.factor);
      // attention_factor = sqrt(1 + ln(factor) / ln(original)) when factor > 1, unless given.
      const factor = optionalPositive(raw, 'factor', field) ?? ctx.maxPositions / original;
      const given = optionalPositive(raw, 'attention_factor', field);
      const attentionFactor = given ?? (factor <= 1 ? 1 : Math.sqrt(1 + Math.log(factor) / Math.log(original)));
      return { type: 'longrope', shortFactors, longFactors, originalMaxPositions: original, attentionFactor };
    }
    default:
      fail(`${field}.rope_type`, `"${String(type)}" is not supported (supported: default, linear, llama3, longrope, su)`);
  }
}

/**
 * theta and scaling for a model (or, for Gemma-3's per-layer-type `rope_parameters`, for the
 * layer type `layerType`). `defaultTheta` is transformers' default for the family.
 */
export function parseRope(json: Json, defaultTheta: number, ctx: RopeContext, layerType?: string): RopeConfig {
  let params = own(json, 'rope_parameters');
  let field = 'rope_parameters';
  if (params !== undefined && params !== null) {
    if (!isObject(params)) fail(field, `is ${JSON.stringify(params)}; expected an object`);
    // v5 Gemma-3: {"full_attention": {...}, "sliding_attention": {...}}.
    if (layerType !== undefined && isObject(own(params, layerType))) {
      params = own(params, layerType);
      field = `rope_parameters.${layerType}`;
    }
    const p = params as Json;
    const theta = optionalTheta(p, field) ?? defaultTheta;
    return { theta, scaling: parseRopeScaling(p, field, ctx), field };
  }
  const theta = optionalTheta(json, 'config') ?? defaultTheta;
  return { theta, scaling: parseRopeScaling(own(json, 'rope_scaling'), 'rope_scaling', ctx), field: 'rope_scaling' };
}

/** partial_rotary_factor from rope_parameters (v5) or the top level; 1 when absent. */
export function partialRotaryFactor(json: Json): number {
  const params = own(json, 'rope_parameters');
  const fromParams = isObject(params) ? own(params, 'partial_rotary_factor') : undefined;
  const v = fromParams ?? own(json, 'partial_rotary_factor');
  if (v === undefined || v === null) return 1;
  if (typeof v !== 'number' || !(v > 0 && v <= 1)) fail('partial_rotary_factor', `is ${JSON.stringify(v)}; expected a number in (0, 1]`);
  return v;
}
