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
