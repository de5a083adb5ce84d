/**
 * JSON as notebooks use it: a value type for results that must survive storage (IndexedDB,
 * disk, the HTML report), a converter from method outputs (typed arrays, NaN) to it, a safety
 * scan for parsed user files, and a canonical serialisation for content hashes.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/**
 * A method output as JSON: typed arrays become arrays, non-finite numbers become null (JSON has
 * no NaN; a NaN in a result means "undefined here", e.g. a normalised metric with a zero range),
 * `undefined` fields are dropped. Throws on anything else (functions, class instances, cycles),
 * so a step cannot return something that silently loses data on the way to the store.
 */
export function toJson(value: unknown, path = 'result'): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? Number(v) : Number.isFinite(v) ? v : null));
  }
  if (Array.isArray(value)) return value.map((v, i) => toJson(v, `${path}[${i}]`));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) throw new Error(`${path}: a ${(value as object).constructor?.name ?? 'class instance'} is not JSON data`);
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJson(v, `${path}.${k}`);
    return out;
  }
  throw new Error(`${path}: a ${typeof value} is not JSON data`);
}

/** Keys that would reach an object's prototype if a consumer ever merged the data naively. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface JsonLimits {
  /** Deepest nesting of arrays/objects. */
  readonly maxDepth: number;
}

/**
 * Rejects parsed JSON that is structurally hostile: prototype-polluting keys anywhere and
 * excessive nesting (a deep document makes recursive validators overflow the stack). Returns the
 * path of the first problem, or null.
 */
export function unsafeJsonPath(value: unknown, limits: JsonLimits): { path: string; message: string } | null {
  // Iterative, so the scan itself cannot overflow on the hostile input it is meant to catch.
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: '(root)', depth: 0 }];
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= limits.maxDepth) return { path, message: `nested deeper than ${limits.maxDepth} levels` };
    if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ v: item, path: `${path}[${i}]`, depth: depth + 1 }));
      continue;
    }
    for (const key of Object.keys(v)) {
      const at = path === '(root)' ? key : `${path}.${key}`;
      if (FORBIDDEN_KEYS.has(key)) return { path: at, message: `the key "${key}" is not allowed (notebooks are plain data)` };
      stack.push({ v: (v as Record<string, unknown>)[key], path: at, depth: depth + 1 });
    }
  }
  return null;
}

/** JSON with object keys sorted at every level: equal data ⇒ equal text ⇒ equal hash. */
export function canonicalJson(value: Json): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}
