/** Builders of well-formed and deliberately broken zip archives for the sharing tests. */
import { zipSync } from 'fflate';
import type { Zippable } from 'fflate';

export function textBytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Offsets of every central directory entry named `name` (0x02014b50 records). */
function centralEntries(zip: Uint8Array, name: string): number[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const found: number[] = [];
  for (let at = 0; at + 46 <= zip.length; at++) {
    if (view.getUint32(at, true) !== 0x02014b50) continue;
    const n = view.getUint16(at + 28, true);
    if (new TextDecoder().decode(zip.subarray(at + 46, at + 46 + n)) === name) found.push(at);
  }
  return found;
}

/**
 * Rewrites the uncompressed size that entry `name` declares, in the central directory and in its
 * local header, leaving the data as it is (a lying archive).
 */
export function patchDeclaredSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  const [cd] = centralEntries(out, name);
  if (cd === undefined) throw new Error(`no entry ${name}`);
  view.setUint32(cd + 24, size, true);
  const local = view.getUint32(cd + 42, true);
  view.setUint32(local + 22, size, true);
  return out;
}

/** A zip with the given entries; `[bytes, level]` pairs choose the compression of each. */
export function makeZip(files: Record<string, Uint8Array | string>, level: 0 | 1 | 6 | 9 = 6): Uint8Array {
  const zippable: Zippable = {};
  for (const [name, data] of Object.entries(files)) zippable[name] = [typeof data === 'string' ? textBytes(data) : data, { level }];
  return zipSync(zippable);
}

export interface RawZipEntry {
  readonly name: string;
  /** The entry's data as stored in the archive (deflated for method 8). */
  readonly data: Uint8Array;
  readonly method: 0 | 8;
  /** Declared uncompressed size. */
  readonly size: number;
  readonly crc: number;
}

/** A zip whose entries are written exactly as given: sizes and CRCs may lie (bombs, fuzzing). */
export function makeRawZip(entries: readonly RawZipEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = textBytes(e.name);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, e.method, true);
    lv.setUint32(14, e.crc, true);
    lv.setUint32(18, e.data.length, true);
    lv.setUint32(22, e.size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, e.method, true);
    cv.setUint32(16, e.crc, true);
    cv.setUint32(20, e.data.length, true);
    cv.setUint32(24, e.size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    parts.push(local, e.data);
    centrals.push(central);
    offset += local.length + e.data.length;
  }
  const cdSize = centrals.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + end.length);
  let at = 0;
  for (const p of [...parts, ...centrals, end]) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
