/**
 * Stored values ↔ project.json + binary entries.
 *
 * In project.json a typed array becomes `{"$bin": "arrays/<n>.bin", "dtype": "float32",
 * "length": 1024}` and its bytes (little-endian, as in memory) go to that entry, so arrays stay
 * binary and round-trip bit for bit. JSON cannot hold NaN, ±Infinity or -0, so such plain numbers
 * become `{"$number": "NaN" | "Infinity" | "-Infinity" | "-0"}`. Stored data may not use these
 * two keys itself (stored-value.ts refuses them), so decoding is unambiguous.
 *
 * Decoding treats the file as hostile: every array reference must name an entry that exists, is
 * referenced once, and holds exactly `length` elements of `dtype`; keys that could pollute
 * prototypes are refused; nesting is bounded.
 */
import { dtypeOf, FORBIDDEN_KEYS, MAX_DEPTH, TYPED_ARRAY_DTYPE_NAMES, TYPED_ARRAY_DTYPES } from '../stored-value.ts';
import type { StoredValue, TypedArray, TypedArrayDtype } from '../stored-value.ts';
import { ShareFormatError } from './errors.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const ARRAY_ENTRY_PATTERN = /^arrays\/(0|[1-9][0-9]{0,8})\.bin$/;

const SPECIAL_NUMBERS: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  // .bin entries are little-endian byte images of typed arrays; a big-endian host would need swapping.
  throw new Error('Probescope project files need a little-endian host');
}

/** Collects the binary entries while a project is encoded. */
export class ArrayWriter {
  readonly entries: Array<{ name: string; bytes: Uint8Array }> = [];

  add(array: TypedArray, dtype: TypedArrayDtype): Json {
    const name = `arrays/${this.entries.length}.bin`;
    this.entries.push({ name, bytes: new Uint8Array(array.buffer, array.byteOffset, array.byteLength) });
    return { $bin: name, dtype, length: array.length };
  }
}

function encodeNumber(n: number): Json {
  if (Number.isNaN(n)) return { $number: 'NaN' };
  if (n === Infinity) return { $number: 'Infinity' };
  if (n === -Infinity) return { $number: '-Infinity' };
  if (Object.is(n, -0)) return { $number: '-0' };
  return n;
}

export function encodeValue(value: StoredValue, arrays: ArrayWriter): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return encodeNumber(value);
  const dtype = dtypeOf(value);
  if (dtype !== null) return arrays.add(value as TypedArray, dtype);
  if (Array.isArray(value)) return value.map((v: StoredValue) => encodeValue(v, arrays));
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value as Record<string, StoredValue>)) out[k] = encodeValue(v, arrays);
  return out;
}

/** Hands out each binary entry once, and says at the end which were never referenced. */
export class ArrayReader {
  private readonly used = new Set<string>();
  constructor(private readonly entries: ReadonlyMap<string, Uint8Array>) {}

  take(name: string, where: string): Uint8Array {
    const bytes = this.entries.get(name);
    if (bytes === undefined) throw new ShareFormatError(`${where}: refers to "${name}", which is not in the file`);
    if (this.used.has(name)) throw new ShareFormatError(`${where}: "${name}" is referenced twice; each array entry belongs to one field`);
    this.used.add(name);
    return bytes;
  }

  unused(): string[] {
    return [...this.entries.keys()].filter((name) => !this.used.has(name));
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function decodeArrayRef(ref: Record<string, unknown>, where: string, arrays: ArrayReader): TypedArray {
  const keys = Object.keys(ref).sort().join(',');
  if (keys !== '$bin,dtype,length') throw new ShareFormatError(`${where}: an array reference has exactly the fields $bin, dtype, length; found ${keys}`);
  const { $bin: name, dtype, length } = ref;
  if (typeof name !== 'string' || !ARRAY_ENTRY_PATTERN.test(name)) throw new ShareFormatError(`${where}: $bin must name an entry arrays/<n>.bin, got ${JSON.stringify(name)}`);
  if (typeof dtype !== 'string' || !(TYPED_ARRAY_DTYPE_NAMES as readonly string[]).includes(dtype)) {
    throw new ShareFormatError(`${where}: dtype must be one of ${TYPED_ARRAY_DTYPE_NAMES.join(', ')}, got ${JSON.stringify(dtype)}`);
  }
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
    throw new ShareFormatError(`${where}: length must be a non-negative integer, got ${JSON.stringify(length)}`);
  }
  const Ctor = TYPED_ARRAY_DTYPES[dtype as TypedArrayDtype];
  const bytes = arrays.take(name, where);
  if (bytes.byteLength !== length * Ctor.BYTES_PER_ELEMENT) {
    throw new ShareFormatError(
      `${where}: ${name} holds ${bytes.byteLength} bytes, but ${length} ${dtype} values need ${length * Ctor.BYTES_PER_ELEMENT}`,
    );
  }
  // Entries come out of the zip reader in fresh buffers of their own, so the view is aligned; copy otherwise.
  const own = bytes.byteOffset % Ctor.BYTES_PER_ELEMENT === 0 ? bytes : bytes.slice();
  return new Ctor(own.buffer as ArrayBuffer, own.byteOffset, length);
}

/** Decodes an encoded value from project.json; `where` names the field in messages. */
export function decodeValue(json: unknown, where: string, arrays: ArrayReader, depth = 0): StoredValue {
  if (depth > MAX_DEPTH) throw new ShareFormatError(`${where}: nested deeper than ${MAX_DEPTH} levels`);
  if (json === undefined) throw new ShareFormatError(`${where}: missing`);
  if (json === null || typeof json === 'boolean' || typeof json === 'string') return json;
  if (typeof json === 'number') {
    if (!Number.isFinite(json)) throw new ShareFormatError(`${where}: ${json} is not a JSON number`);
    return json;
  }
  if (Array.isArray(json)) return json.map((v, i) => decodeValue(v, `${where}[${i}]`, arrays, depth + 1));
  if (!isObject(json)) throw new ShareFormatError(`${where}: unexpected ${typeof json}`);
  if (Object.hasOwn(json, '$bin')) return decodeArrayRef(json, where, arrays);
  if (Object.hasOwn(json, '$number')) {
    const special = json.$number;
    if (Object.keys(json).length !== 1 || typeof special !== 'string' || !Object.hasOwn(SPECIAL_NUMBERS, special)) {
      throw new ShareFormatError(`${where}: {"$number": …} must be exactly one of "NaN", "Infinity", "-Infinity", "-0"`);
    }
    return SPECIAL_NUMBERS[special];
  }
  const out: Record<string, StoredValue> = {};
  for (const [key, v] of Object.entries(json)) {
    if (FORBIDDEN_KEYS.includes(key)) throw new ShareFormatError(`${where}.${key}: the key "${key}" is not allowed (it could alter object prototypes)`);
    Object.defineProperty(out, key, { value: decodeValue(v, `${where}.${key}`, arrays, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * The first forbidden key anywhere in parsed JSON, as a path, or null. Run over whole documents
 * before schema validation so that the message is about the key, not a schema complaint.
 */
export function findForbiddenKey(json: unknown, path = '', depth = 0): string | null {
  if (depth > MAX_DEPTH + 8 || typeof json !== 'object' || json === null) return null;
  if (Array.isArray(json)) {
    for (let i = 0; i < json.length; i++) {
      const found = findForbiddenKey(json[i], `${path}[${i}]`, depth + 1);
      if (found !== null) return found;
    }
    return null;
  }
  for (const [key, v] of Object.entries(json)) {
    const child = path === '' ? key : `${path}.${key}`;
    if (FORBIDDEN_KEYS.includes(key)) return child;
    const found = findForbiddenKey(v, child, depth + 1);
    if (found !== null) return found;
  }
  return null;
}
