/**
 * What a project may store: JSON-like data (null, booleans, numbers, strings, arrays, plain
 * objects) with typed arrays wherever there are numbers in bulk. IndexedDB keeps typed arrays
 * as binary (structured clone), and the `.probescope` export writes each one to its own `.bin`
 * entry, so a result never turns into millions of JSON numbers.
 *
 * `prepareStoredValue` is the single gate every write goes through: it rejects what would not
 * survive an export (functions, class instances, Dates, Maps, cycles, reserved keys) with the
 * path of the offending field, and copies typed arrays that are views into a larger buffer,
 * because structured clone stores a view's *whole* underlying buffer (a 4-element subarray of a
 * 1 GB activation cache would otherwise store 1 GB).
 */

export type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array;

export type StoredValue =
  | null
  | boolean
  | number
  | string
  | TypedArray
  | readonly StoredValue[]
  | { readonly [key: string]: StoredValue };

/** The dtype names used in exports, one per supported typed array class. */
export const TYPED_ARRAY_DTYPES = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
} as const;

export type TypedArrayDtype = keyof typeof TYPED_ARRAY_DTYPES;

export const TYPED_ARRAY_DTYPE_NAMES = Object.keys(TYPED_ARRAY_DTYPES) as TypedArrayDtype[];

/**
 * Keys the export codec uses to mark a typed array reference and a non-finite number in
 * project.json; stored data may not use them, so decoding is unambiguous.
 */
export const RESERVED_KEYS: readonly string[] = ['$bin', '$number'];

/**
 * Keys that are harmless in IndexedDB but dangerous once an object is merged into another with
 * assignment semantics (prototype pollution). Refused in stored data and in imported files.
 */
export const FORBIDDEN_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** Nesting deeper than this is refused: no real result needs it, and recursion must stay bounded. */
export const MAX_DEPTH = 64;

export class StoredValueError extends Error {
  override readonly name = 'StoredValueError';
}

/** The dtype of a supported typed array, or null for anything else (including DataView and Uint8ClampedArray). */
export function dtypeOf(value: unknown): TypedArrayDtype | null {
  if (!ArrayBuffer.isView(value)) return null;
  for (const dtype of TYPED_ARRAY_DTYPE_NAMES) {
    if (Object.getPrototypeOf(value) === TYPED_ARRAY_DTYPES[dtype].prototype) return dtype;
  }
  return null;
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A typed array that owns exactly its bytes (copied when it is a view into a larger buffer). */
function ownedCopyIfView(array: TypedArray): TypedArray {
  const ownsBuffer = array.byteOffset === 0 && array.byteLength === array.buffer.byteLength && array.buffer instanceof ArrayBuffer;
  return ownsBuffer ? array : array.slice();
}

function describePath(path: string): string {
  return path === '' ? 'the value' : path;
}

/**
 * Validates `value` for storage and returns it ready to store (views copied). `where` names the
 * field in messages, e.g. "experiment result". Throws StoredValueError naming the exact path.
 */
export function prepareStoredValue(value: unknown, where: string): StoredValue {
  const seen = new Set<object>();
  const visit = (v: unknown, path: string, depth: number): StoredValue => {
    const at = `${where}: ${describePath(path)}`;
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
    if (typeof v === 'number') return v;
    if (typeof v !== 'object') {
      throw new StoredValueError(`${at} is a ${typeof v}; only JSON data and typed arrays can be stored`);
    }
    if (depth > MAX_DEPTH) throw new StoredValueError(`${at} is nested deeper than ${MAX_DEPTH} levels`);
    const dtype = dtypeOf(v);
    if (dtype !== null) return ownedCopyIfView(v as TypedArray);
    if (ArrayBuffer.isView(v)) {
      throw new StoredValueError(`${at} is a ${v.constructor.name}; supported typed arrays: ${TYPED_ARRAY_DTYPE_NAMES.join(', ')}`);
    }
    if (seen.has(v)) throw new StoredValueError(`${at} refers back to itself (a cycle); stored data must be a tree`);
    seen.add(v);
    try {
      if (Array.isArray(v)) return v.map((item, i) => visit(item, `${path}[${i}]`, depth + 1));
      if (!isPlainObject(v)) {
        const kind = (v as { constructor?: { name?: string } }).constructor?.name ?? 'object';
        throw new StoredValueError(`${at} is a ${kind}; only plain objects, arrays and typed arrays can be stored`);
      }
      const out: Record<string, StoredValue> = {};
      for (const [key, item] of Object.entries(v)) {
        const child = path === '' ? key : `${path}.${key}`;
        if (FORBIDDEN_KEYS.includes(key)) throw new StoredValueError(`${where}: ${child}: the key "${key}" is not allowed`);
        if (RESERVED_KEYS.includes(key)) throw new StoredValueError(`${where}: ${child}: the key "${key}" is reserved for the export format`);
        if (item === undefined) continue; // as JSON.stringify does: an absent field
        // defineProperty, not assignment: keeps any odd key an own data property.
        Object.defineProperty(out, key, { value: visit(item, child, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return out;
    } finally {
      seen.delete(v);
    }
  };
  return visit(value, '', 0);
}
