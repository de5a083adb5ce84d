/**
 * Form fields generated from a step's params schema (zod → JSON Schema): numbers, switches,
 * choices, text, and "prompt or token" references (an index or a label / token text) get their
 * own controls; anything else (lists, objects, unions) is edited as JSON. Conversions between
 * what an input shows and what the params hold live here, so components only render.
 */
import { z } from 'zod';
import type { RegisteredMethod } from '../../analysis/registry/contract.ts';

interface FieldBase {
  readonly name: string;
  readonly required: boolean;
  /** The schema's default, shown as a placeholder when the field is not set. */
  readonly defaultValue: unknown;
}

export type ParamField =
  | (FieldBase & { readonly kind: 'number'; readonly integer: boolean; readonly min?: number; readonly max?: number })
  | (FieldBase & { readonly kind: 'boolean' })
  | (FieldBase & { readonly kind: 'choice'; readonly options: readonly string[] })
  | (FieldBase & { readonly kind: 'text' })
  | (FieldBase & { readonly kind: 'ref' })
  | (FieldBase & { readonly kind: 'json' });

type Schema = Readonly<Record<string, unknown>>;

function isSchema(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON Schema's "safe integer" bounds are no bound worth showing. */
function bound(v: unknown): number | undefined {
  return typeof v === 'number' && Math.abs(v) < Number.MAX_SAFE_INTEGER ? v : undefined;
}

function fieldOf(name: string, s: Schema, required: boolean): ParamField {
  const base = { name, required, defaultValue: s.default };
  const anyOf = Array.isArray(s.anyOf) ? s.anyOf.filter(isSchema) : null;
  if (anyOf) {
    const types = anyOf.map((a) => a.type).sort();
    if (anyOf.length === 2 && types[0] === 'integer' && types[1] === 'string' && anyOf.every((a) => a.const === undefined)) return { ...base, kind: 'ref' };
    return { ...base, kind: 'json' };
  }
  if (s.type === 'integer' || s.type === 'number') return { ...base, kind: 'number', integer: s.type === 'integer', min: bound(s.minimum), max: bound(s.maximum) };
  if (s.type === 'boolean') return { ...base, kind: 'boolean' };
  if (s.type === 'string' && Array.isArray(s.enum)) return { ...base, kind: 'choice', options: s.enum.filter((o): o is string => typeof o === 'string') };
  if (s.type === 'string') return { ...base, kind: 'text' };
  return { ...base, kind: 'json' };
}

/** The fields of a step's params, in the schema's order. */
export function paramFields(step: RegisteredMethod): ParamField[] {
  const schema: unknown = z.toJSONSchema(step.paramsSchema, { io: 'input', unrepresentable: 'any' });
  if (!isSchema(schema) || !isSchema(schema.properties)) return [];
  const required = Array.isArray(schema.required) ? schema.required : [];
  return Object.entries(schema.properties)
    .filter((entry): entry is [string, Schema] => isSchema(entry[1]))
    .map(([name, s]) => fieldOf(name, s, required.includes(name)));
}

/** A value as an input shows it ("" when unset). */
export function fieldText(field: ParamField, value: unknown): string {
  if (value === undefined) return '';
  if (field.kind === 'json') return JSON.stringify(value);
  return typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
}

export type FieldInput = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

/**
 * What a field's text means for the params: `undefined` (unset: the default applies), or a
 * value. Numbers that do not parse stay text, so the schema names the problem; JSON that does
 * not parse is an error of the field itself.
 */
export function parseFieldText(field: ParamField, text: string): FieldInput {
  if (text.trim() === '') return { ok: true, value: undefined };
  switch (field.kind) {
    case 'number': {
      const n = Number(text);
      return { ok: true, value: Number.isFinite(n) ? n : text };
    }
    case 'ref':
      return { ok: true, value: /^\d+$/.test(text.trim()) ? Number(text.trim()) : text };
    case 'json':
      try {
        return { ok: true, value: JSON.parse(text) as unknown };
      } catch (e) {
        return { ok: false, error: `not valid JSON (${(e as Error).message})` };
      }
    default:
      return { ok: true, value: text };
  }
}

/** Params with one field set (or removed when `value` is undefined). */
export function withParam(params: Readonly<Record<string, unknown>>, name: string, value: unknown): Record<string, unknown> {
  const next = { ...params };
  if (value === undefined) delete next[name];
  else next[name] = value;
  return next;
}
