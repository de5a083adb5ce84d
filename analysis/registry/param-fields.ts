/**
 * Fields generated from a method's params schema (zod → JSON Schema), for every front end that
 * builds inputs from it: the app's notebook params forms and the CLI's flags and --help.
 * Numbers, switches, choices, text, and "prompt or token" references (an index or a label /
 * token text) get their own controls; anything else (lists, objects, unions) is edited as JSON
 * (lists of numbers or references also as comma-separated text on the command line).
 * Conversions between what an input shows and what the params hold live here.
 */
import { z } from 'zod';
import type { RegisteredMethod } from './contract.ts';

interface FieldBase {
  readonly name: string;
  readonly required: boolean;
  /** The schema's default, shown as a placeholder when the field is not set. */
  readonly defaultValue: unknown;
  /** The schema's `.describe()` text, if any. */
  readonly description?: string;
  /** What a reference or list names (schema meta `input`): a prompt of the input set, a token, a corruption. */
  readonly input?: FieldInputKind;
}

export type FieldInputKind = 'prompt' | 'token' | 'corruption';

/** The item kind of a list field (a JSON field holding an array of numbers or references). */
export type ListItemKind = 'number' | 'ref' | 'text';

export type ParamField =
  | (FieldBase & { readonly kind: 'number'; readonly integer: boolean; readonly min?: number; readonly max?: number; readonly minExclusive?: boolean; readonly maxExclusive?: boolean })
  | (FieldBase & { readonly kind: 'boolean' })
  | (FieldBase & { readonly kind: 'choice'; readonly options: readonly string[] })
  | (FieldBase & { readonly kind: 'text' })
  | (FieldBase & { readonly kind: 'ref' })
  | (FieldBase & { readonly kind: 'json'; readonly list?: ListItemKind; readonly integer?: boolean });

type Schema = Readonly<Record<string, unknown>>;

function isSchema(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON Schema's "safe integer" bounds are no bound worth showing. */
function bound(v: unknown): number | undefined {
  return typeof v === 'number' && Math.abs(v) < Number.MAX_SAFE_INTEGER ? v : undefined;
}

const INPUT_KINDS: readonly FieldInputKind[] = ['prompt', 'token', 'corruption'];

function inputKind(s: Schema): FieldInputKind | undefined {
  return INPUT_KINDS.find((k) => k === s.input);
}

function isRef(s: Schema): boolean {
  const anyOf = Array.isArray(s.anyOf) ? s.anyOf.filter(isSchema) : null;
  if (!anyOf) return false;
  const types = anyOf.map((a) => a.type).sort();
  return anyOf.length === 2 && types[0] === 'integer' && types[1] === 'string' && anyOf.every((a) => a.const === undefined);
}

function listOf(s: Schema): { list?: ListItemKind; integer?: boolean; input?: FieldInputKind } {
  if (s.type !== 'array' || !isSchema(s.items)) return {};
  const items = s.items;
  if (items.type === 'integer' || items.type === 'number') return { list: 'number', integer: items.type === 'integer' };
  if (isRef(items)) return { list: 'ref', input: inputKind(items) };
  if (items.type === 'string' && !Array.isArray(items.enum)) return { list: 'text' };
  return {};
}

function fieldOf(name: string, s: Schema, required: boolean): ParamField {
  const description = typeof s.description === 'string' ? s.description : undefined;
  const base = { name, required, defaultValue: s.default, ...(description ? { description } : {}), ...(inputKind(s) ? { input: inputKind(s) } : {}) };
  if (isRef(s)) return { ...base, kind: 'ref' };
  if (Array.isArray(s.anyOf)) return { ...base, kind: 'json' };
  if (s.type === 'array') {
    const list = listOf(s);
    return { ...base, ...(list.input ? { input: list.input } : {}), kind: 'json', ...(list.list ? { list: list.list, integer: list.integer } : {}) };
  }
  if (s.type === 'integer' || s.type === 'number') {
    const gt = bound(s.exclusiveMinimum);
    const lt = bound(s.exclusiveMaximum);
    return {
      ...base,
      kind: 'number',
      integer: s.type === 'integer',
      min: bound(s.minimum) ?? gt,
      max: bound(s.maximum) ?? lt,
      ...(gt !== undefined ? { minExclusive: true } : {}),
      ...(lt !== undefined ? { maxExclusive: true } : {}),
    };
  }
  if (s.type === 'boolean') return { ...base, kind: 'boolean' };
  if (s.type === 'string' && Array.isArray(s.enum)) return { ...base, kind: 'choice', options: s.enum.filter((o): o is string => typeof o === 'string') };
  if (s.type === 'string') return { ...base, kind: 'text' };
  return { ...base, kind: 'json' };
}

/** The fields of a method's params, in the schema's order. */
export function paramFields(step: RegisteredMethod): ParamField[] {
  return schemaFields(step.paramsSchema);
}

/** The fields of any params object schema (a command's flags that are not a method's). */
export function schemaFields(params: z.ZodType): ParamField[] {
  const schema: unknown = z.toJSONSchema(params, { io: 'input', unrepresentable: 'any' });
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
