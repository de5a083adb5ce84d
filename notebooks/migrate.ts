/**
 * Notebook format versions. Every stored or shared notebook carries `version`; reading one
 * upgrades it step by step (n → n+1) to the current version before validation, so old files keep
 * working.
 *
 *   1 → 2: the metric position has one name in every method, `position` (dla, head-ablation and
 *          obsprop called it `pos`).
 */
import type { JsonObject } from '../analysis/json.ts';
import { NOTEBOOK_FORMAT, NOTEBOOK_VERSION } from './schema.ts';

/** Upgrades a document of version n to n+1 (it may assume the version-n shape, loosely). */
export type Migration = (doc: JsonObject) => JsonObject;

/** Methods whose metric position was `pos` in version 1. */
const POS_RENAMED = new Set(['dla', 'head-ablation', 'obsprop']);

function renamePos(doc: JsonObject): JsonObject {
  if (!Array.isArray(doc.cells)) return doc;
  const cells = doc.cells.map((cell) => {
    if (!isObject(cell) || cell.kind !== 'analysis' || typeof cell.method !== 'string' || !POS_RENAMED.has(cell.method) || !isObject(cell.params) || !Object.hasOwn(cell.params, 'pos')) return cell;
    const { pos, ...rest } = cell.params;
    return { ...cell, params: { ...rest, position: pos } };
  });
  return { ...doc, cells };
}

/** MIGRATIONS[n] turns version n into n+1. */
export const MIGRATIONS: Readonly<Record<number, Migration>> = { 1: renamePos };

export interface Migrated {
  readonly doc: JsonObject;
  /** The version the document was written in. */
  readonly from: number;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function migrateNotebook(data: unknown, migrations: Readonly<Record<number, Migration>> = MIGRATIONS, current: number = NOTEBOOK_VERSION): Migrated {
  if (!isObject(data)) throw new Error(`a notebook is a JSON object with "format": "${NOTEBOOK_FORMAT}", got ${Array.isArray(data) ? 'an array' : data === null ? 'null' : `a ${typeof data}`}`);
  if (data.format !== NOTEBOOK_FORMAT) {
    throw new Error(`not a Probescope notebook: "format" is ${JSON.stringify(data.format) ?? 'missing'}, expected "${NOTEBOOK_FORMAT}"`);
  }
  const from = data.version;
  if (typeof from !== 'number' || !Number.isInteger(from) || from < 1) {
    throw new Error(`"version" must be a positive integer (the format version), got ${JSON.stringify(from) ?? 'nothing'}`);
  }
  if (from > current) {
    throw new Error(`this notebook is format version ${from}, written by a newer Probescope; this one reads versions 1 to ${current}`);
  }
  let doc = data;
  for (let v = from; v < current; v++) {
    const step = migrations[v];
    if (!step) throw new Error(`internal: no migration from notebook version ${v} to ${v + 1}`);
    doc = { ...step(doc), version: v + 1 };
  }
  return { doc, from };
}
