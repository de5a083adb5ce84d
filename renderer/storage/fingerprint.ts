/**
 * A short content fingerprint of a stored value: SHA-256 over a canonical byte encoding in which
 * every number keeps all 64 bits (NaN payloads, -0), every typed array its dtype and bytes, and
 * object keys are sorted. Two results with the same fingerprint are bit-identical, which is how
 * the project panel (and the end-to-end test) shows that an imported project reproduces the
 * exported one exactly.
 */
import { dtypeOf } from './stored-value.ts';
import type { StoredValue, TypedArray } from './stored-value.ts';

class Writer {
  private chunks: Uint8Array[] = [];
  private readonly encoder = new TextEncoder();
  tag(t: string): void {
    this.chunks.push(this.encoder.encode(t));
  }
  u32(n: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n, true);
    this.chunks.push(b);
  }
  f64(n: number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, n, true);
    this.chunks.push(b);
  }
  text(s: string): void {
    const b = this.encoder.encode(s);
    this.u32(b.length);
    this.chunks.push(b);
  }
  bytes(b: Uint8Array): void {
    this.u32(b.length);
    this.chunks.push(b);
  }
  done(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

function write(w: Writer, v: StoredValue): void {
  if (v === null) return w.tag('n');
  if (typeof v === 'boolean') return w.tag(v ? 't' : 'f');
  if (typeof v === 'number') {
    w.tag('d');
    return w.f64(v);
  }
  if (typeof v === 'string') {
    w.tag('s');
    return w.text(v);
  }
  const dtype = dtypeOf(v);
  if (dtype !== null) {
    const a = v as TypedArray;
    w.tag('a');
    w.text(dtype);
    return w.bytes(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  if (Array.isArray(v)) {
    w.tag('l');
    w.u32(v.length);
    for (const item of v as StoredValue[]) write(w, item);
    return;
  }
  const entries = Object.entries(v as Record<string, StoredValue>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  w.tag('o');
  w.u32(entries.length);
  for (const [k, item] of entries) {
    w.text(k);
    write(w, item);
  }
}

/** Hex SHA-256 of the canonical encoding of `value`. */
export async function fingerprint(value: StoredValue): Promise<string> {
  const w = new Writer();
  write(w, value);
  const digest = await globalThis.crypto.subtle.digest('SHA-256', w.done());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
