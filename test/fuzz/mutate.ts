/**
 * Mutations of well-formed inputs for the fuzz targets, as fast-check arbitraries, so the same
 * generators serve the property tests in `npm test` (fixed seed, few runs) and the long
 * campaigns of `npm run fuzz` (fc.sample with a seed). Two kinds:
 *   - structure-aware JSON edits: a value at a random path replaced by a hostile one (names of
 *     Object.prototype members, tiny/huge/negative/fractional numbers, wrong types, deep nesting,
 *     huge ids), a key deleted, an own "__proto__" key added;
 *   - byte edits: flips, overwrites, insertions, deletions, truncation, extreme u32/u64 fields.
 */
import fc from 'fast-check';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Values that broke, or could break, a parser that trusts its input. */
export const HOSTILE_VALUES: readonly JsonValue[] = [
  'constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__', 'prototype',
  '', 'x', '3', '(a|aa)+$', '\u0000\u001a', '\ud800', 'x'.repeat(5000),
  0, -0, -1, 1, 0.5, 1.5, 1e-320, 5e-324, 1e-6, 1e308, 2 ** 31, 2 ** 31 - 1, 2 ** 32, 2 ** 53, -(2 ** 53), 1e9, 1e15,
  null, true, false, [], {}, [1, 2, 3], { type: 'Sequence' }, [[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]],
];

/** Regexes for tokenizer patterns: harmless ones and catastrophic ones. */
export const REGEX_VALUES: readonly string[] = [
  ' ?\\p{L}+', '\\s+(?!\\S)|\\s+', '(a|aa)+$', '(a+)+$', '(\\w+\\s?)*$', '((ab)*)*c', '(?:x|y|xy)*z', '[', '\\p{Nope}', '(?<n>a)\\k<n>',
];

type Path = (string | number)[];

function paths(value: JsonValue, prefix: Path = [], out: Path[] = [], limit = 5000): Path[] {
  if (out.length >= limit) return out;
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out, limit));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out, limit);
  return out;
}

function setOwn(target: Record<string, JsonValue> | JsonValue[], key: string | number, value: JsonValue | undefined): void {
  if (Array.isArray(target) && typeof key === 'number') {
    if (value === undefined) target.splice(key, 1);
    else target[key] = value;
    return;
  }
  const obj = target as Record<string, JsonValue>;
  if (value === undefined) delete obj[key];
  // defineProperty: an own "__proto__" key, as JSON.parse makes it, not a prototype change.
  else Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export interface JsonEdit {
  readonly pick: number;
  readonly action: 'replace' | 'delete' | 'add-key' | 'regex' | 'number';
  readonly value: JsonValue;
  readonly key: string;
}

const jsonEdit: fc.Arbitrary<JsonEdit> = fc.record({
  pick: fc.nat(),
  action: fc.constantFrom<JsonEdit['action']>('replace', 'replace', 'replace', 'delete', 'add-key', 'regex', 'number', 'number'),
  value: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_VALUES) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue> },
    { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
    { weight: 1, arbitrary: fc.integer({ min: -2, max: 2 ** 31 }) },
  ),
  key: fc.constantFrom('__proto__', 'constructor', 'rope_scaling', 'sliding_window', 'head_dim', 'added_tokens', 'options', 'extra'),
});

const HOSTILE_NUMBERS = HOSTILE_VALUES.filter((v): v is number => typeof v === 'number');

function valueAt(root: JsonValue, path: Path): JsonValue {
  let at: JsonValue = root;
  for (const step of path) at = (at as Record<string, JsonValue>)[step as string];
  return at;
}

/** Applies edits to a deep copy of `seed`; the path of each edit is chosen among the copy's own paths. */
export function applyJsonEdits(seed: JsonValue, edits: readonly JsonEdit[]): JsonValue {
  let root = structuredClone(seed);
  for (const edit of edits) {
    let all = paths(root);
    let value = edit.action === 'regex' ? { Regex: REGEX_VALUES[edit.pick % REGEX_VALUES.length] } : edit.value;
    if (edit.action === 'number') {
      // A number of the file replaced by a hostile number: where range checks matter most.
      all = all.filter((p) => typeof valueAt(root, p) === 'number');
      if (all.length === 0) continue;
      value = typeof edit.value === 'number' ? edit.value : HOSTILE_NUMBERS[(edit.pick >>> 4) % HOSTILE_NUMBERS.length];
    }
    const path = all[edit.pick % all.length];
    if (path.length === 0) {
      if (edit.action === 'replace') root = structuredClone(value);
      continue;
    }
    let parent: JsonValue = root;
    for (const step of path.slice(0, -1)) parent = (parent as Record<string, JsonValue>)[step as string];
    const last = path[path.length - 1];
    const container = parent as Record<string, JsonValue> | JsonValue[];
    if (edit.action === 'delete') setOwn(container, last, undefined);
    else if (edit.action === 'add-key' && !Array.isArray(container)) setOwn(container, edit.key, structuredClone(value));
    else setOwn(container, last, structuredClone(value));
  }
  return root;
}

/** 1–4 structure-aware edits of `seed`, serialised; sometimes the text itself is cut or corrupted. */
export function mutatedJsonText(seed: JsonValue): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.array(jsonEdit, { minLength: 1, maxLength: 4 }),
      fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.constantFrom('cut', 'flip')) }),
    )
    .map(([edits, textEdit]) => {
      const text = JSON.stringify(applyJsonEdits(seed, edits));
      if (textEdit === null) return text;
      const at = textEdit[0] % Math.max(1, text.length);
      return textEdit[1] === 'cut' ? text.slice(0, at) : `${text.slice(0, at)}\u0000${text.slice(at + 1)}`;
    });
}

export type ByteEdit =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'set'; readonly at: number; readonly byte: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly count: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'u32'; readonly at: number; readonly value: number };

const EXTREME_U32 = [0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 1008 * 1024 * 1024, 64 * 1024 * 1024];

/** Byte edits at offsets below `span` (mapped into the input's length when applied). */
export function byteEdits(span: number): fc.Arbitrary<ByteEdit[]> {
  const at = fc.nat({ max: Math.max(0, span - 1) });
  const edit: fc.Arbitrary<ByteEdit> = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at, bit: fc.nat({ max: 7 }) }),
    fc.record({ kind: fc.constant('set' as const), at, byte: fc.constantFrom(0, 0x20, 0x22, 0x7b, 0x7d, 0xff, 0x30, 0x39) }),
    fc.record({ kind: fc.constant('insert' as const), at, bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    fc.record({ kind: fc.constant('delete' as const), at, count: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at }),
    fc.record({ kind: fc.constant('u32' as const), at, value: fc.constantFrom(...EXTREME_U32) }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 3 });
}

export function applyByteEdits(seed: Uint8Array, edits: readonly ByteEdit[]): Uint8Array {
  let out = seed.slice();
  for (const e of edits) {
    const at = out.length === 0 ? 0 : e.at % out.length;
    switch (e.kind) {
      case 'flip':
        if (out.length > 0) out[at] ^= 1 << e.bit;
        break;
      case 'set':
        if (out.length > 0) out[at] = e.byte;
        break;
      case 'insert': {
        const next = new Uint8Array(out.length + e.bytes.length);
        next.set(out.subarray(0, at));
        next.set(e.bytes, at);
        next.set(out.subarray(at), at + e.bytes.length);
        out = next;
        break;
      }
      case 'delete':
        out = new Uint8Array([...out.subarray(0, at), ...out.subarray(at + e.count)]);
        break;
      case 'truncate':
        out = out.slice(0, at);
        break;
      case 'u32':
        if (at + 4 <= out.length) new DataView(out.buffer).setUint32(at, e.value, true);
        break;
    }
  }
  return out;
}
