/**
 * Cells and params edited as JSON text: a cell's fields (its kind fixed) checked against the
 * cell schema as you type, so the document always has a shape the editor can show; params only
 * need to be a JSON object (the step's schema then reports on them with the other issues).
 */
import { CellSchema } from '../../notebooks/schema.ts';
import { issuePath } from '../../analysis/registry/define.ts';
import type { CellInput } from './editor-state.ts';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly string[] };

export function cellJsonText(cell: CellInput): string {
  const { kind: _kind, ...fields } = cell;
  return JSON.stringify(fields, null, 2);
}

function parseObject(text: string): Parsed<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [`not valid JSON (${(e as Error).message})`] };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, errors: ['expected a JSON object { … }'] };
  return { ok: true, value: value as Record<string, unknown> };
}

/** The fields of a `kind` cell from JSON text, checked against the cell schema. */
export function parseCellJson<K extends CellInput['kind']>(kind: K, text: string): Parsed<Extract<CellInput, { kind: K }>> {
  const object = parseObject(text);
  if (!object.ok) return object;
  if ('kind' in object.value && object.value.kind !== kind) return { ok: false, errors: [`"kind" cannot change here (this is a ${kind} cell)`] };
  const parsed = CellSchema.safeParse({ ...object.value, kind });
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((i) => (i.path.length ? `${issuePath(i.path)}: ${i.message}` : i.message)) };
  // The schema's discriminated union keeps `kind`, so the parsed cell is the kind asked for.
  return { ok: true, value: parsed.data as Extract<CellInput, { kind: K }> };
}

export function parseParamsJson(text: string): Parsed<Record<string, unknown>> {
  return parseObject(text);
}
