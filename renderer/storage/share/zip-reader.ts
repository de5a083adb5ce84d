/**
 * A strict, bounded zip reader for .probescope files. fflate's own unzip trusts the sizes an
 * archive declares and inflates everything at once; here the archive is checked first and
 * inflated under limits:
 *   1. the end record and central directory are parsed and checked (single disk, no ZIP64, no
 *      encryption, deflate or stored only, no duplicate or unexpected names, local headers that
 *      agree with the directory, entries that neither overlap nor run past the directory);
 *   2. the declared uncompressed sizes are checked against the limits (one entry, all entries,
 *      and all entries against the file's size: the compression ratio);
 *   3. each entry is inflated with fflate's streaming `Inflate` in small input chunks, and
 *      aborted as soon as it produces more than it declared; its size and CRC-32 must then
 *      match the directory exactly. Output is collected as it is produced, never allocated at
 *      the declared size up front, so a lying size costs nothing until bytes back it.
 * Every failure is a ShareFormatError naming the entry and what was expected.
 */
import { Inflate } from 'fflate';
import { crc32 } from './crc32.ts';
import { ShareFormatError } from './errors.ts';
import type { ShareLimits } from './limits.ts';

export interface ZipEntry {
  readonly name: string;
  readonly method: 0 | 8;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  /** Offset of the entry's local header in the archive. */
  readonly headerStart: number;
  /** Offset of the compressed data in the archive. */
  readonly dataStart: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
/**
 * Input fed to the inflater per step. Deflate expands at most ~1032:1, so one step can produce at
 * most ~1 MiB before the size check runs again (an entry that lies about its size costs at most
 * that much work past its declared size).
 */
export const INFLATE_CHUNK = 1024;

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

class Bytes {
  private readonly view: DataView;
  constructor(readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }
  u16(at: number): number {
    return this.view.getUint16(at, true);
  }
  u32(at: number): number {
    return this.view.getUint32(at, true);
  }
}

function findEndRecord(bytes: Bytes): number {
  const n = bytes.data.length;
  const lowest = Math.max(0, n - EOCD_SIZE - MAX_COMMENT);
  for (let at = n - EOCD_SIZE; at >= lowest; at--) {
    if (bytes.u32(at) === EOCD_SIGNATURE && at + EOCD_SIZE + bytes.u16(at + 20) === n) return at;
  }
  throw new ShareFormatError(
    'not a .probescope file, or the file is truncated: no zip end-of-archive record at its end ' +
      '(a .probescope file is a zip archive; was the download or copy cut short?)',
  );
}

/** Names are ASCII paths of plain segments; anything else is refused before any check of its own. */
function decodeName(raw: Uint8Array, index: number): string {
  for (const b of raw) {
    if (b < 0x20 || b > 0x7e) throw new ShareFormatError(`zip entry #${index} has a name with non-printable or non-ASCII bytes`);
  }
  return String.fromCharCode(...raw);
}

/** Parses and checks the directory; `expected(name)` says whether an entry name belongs in the file. */
export function readZipDirectory(data: Uint8Array, limits: ShareLimits, expected: (name: string) => boolean): ZipEntry[] {
  if (data.length > limits.maxFileBytes) {
    throw new ShareFormatError(`the file is ${mib(data.length)}, more than the ${mib(limits.maxFileBytes)} a .probescope file may be`);
  }
  if (data.length < EOCD_SIZE) throw new ShareFormatError(`the file is only ${data.length} bytes: not a .probescope file (too short for a zip archive)`);
  const bytes = new Bytes(data);
  const eocd = findEndRecord(bytes);
  const disk = bytes.u16(eocd + 4);
  const cdDisk = bytes.u16(eocd + 6);
  const entriesHere = bytes.u16(eocd + 8);
  const count = bytes.u16(eocd + 10);
  const cdSize = bytes.u32(eocd + 12);
  const cdOffset = bytes.u32(eocd + 16);
  if (eocd >= 20 && bytes.u32(eocd - 20) === ZIP64_LOCATOR_SIGNATURE) {
    throw new ShareFormatError('the archive uses ZIP64, which .probescope files never need (they stay below 4 GiB)');
  }
  if (disk !== 0 || cdDisk !== 0 || entriesHere !== count) throw new ShareFormatError('multi-part zip archives are not .probescope files');
  if (count > limits.maxEntries) throw new ShareFormatError(`the archive has ${count} entries, more than the limit of ${limits.maxEntries}`);
  if (cdOffset + cdSize !== eocd) {
    throw new ShareFormatError(
      `the zip central directory (offset ${cdOffset}, ${cdSize} bytes) does not end where the end record starts (${eocd}): the file is truncated or corrupt`,
    );
  }

  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let totalSize = 0;
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > eocd || bytes.u32(at) !== CENTRAL_SIGNATURE) throw new ShareFormatError(`zip central directory entry #${i} is corrupt (bad signature)`);
    const flags = bytes.u16(at + 8);
    const method = bytes.u16(at + 10);
    const crc = bytes.u32(at + 16);
    const compressedSize = bytes.u32(at + 20);
    const size = bytes.u32(at + 24);
    const nameLength = bytes.u16(at + 28);
    const extraLength = bytes.u16(at + 30);
    const commentLength = bytes.u16(at + 32);
    const localOffset = bytes.u32(at + 42);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > eocd) throw new ShareFormatError(`zip central directory entry #${i} runs past the directory`);
    const name = decodeName(data.subarray(at + 46, at + 46 + nameLength), i);
    const where = `zip entry "${name}"`;
    if (!expected(name)) throw new ShareFormatError(`unexpected ${where}: a .probescope file holds only manifest.json, project.json and arrays/<n>.bin`);
    if (names.has(name)) throw new ShareFormatError(`${where} appears twice`);
    names.add(name);
    if (flags & 0x1) throw new ShareFormatError(`${where} is encrypted; .probescope files are never encrypted`);
    if (method !== 0 && method !== 8) throw new ShareFormatError(`${where} uses compression method ${method}; expected 0 (stored) or 8 (deflate)`);
    if (compressedSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff) {
      throw new ShareFormatError(`${where} uses ZIP64 sizes, which .probescope files never need`);
    }
    if (method === 0 && compressedSize !== size) throw new ShareFormatError(`${where} is stored uncompressed but declares ${compressedSize} stored and ${size} uncompressed bytes`);
    if (size > limits.maxEntryBytes) throw new ShareFormatError(`${where} declares ${mib(size)} uncompressed, more than the ${mib(limits.maxEntryBytes)} limit for one entry`);
    totalSize += size;
    if (totalSize > limits.maxTotalBytes) {
      throw new ShareFormatError(`the archive declares more than ${mib(limits.maxTotalBytes)} uncompressed in total (limit), at ${where}`);
    }
    const dataStart = checkLocalHeader(bytes, localOffset, name, nameLength, compressedSize, cdOffset);
    entries.push({ name, method, crc, compressedSize, size, headerStart: localOffset, dataStart });
    at = next;
  }
  if (at !== eocd) throw new ShareFormatError('the zip central directory has trailing bytes after its last entry');
  checkNoOverlap(entries);
  const budget = Math.max(limits.ratioFreeBytes, limits.maxInflateRatio * data.length);
  if (totalSize > budget) {
    throw new ShareFormatError(
      `the archive declares ${mib(totalSize)} uncompressed from a ${mib(data.length)} file, more than ${limits.maxInflateRatio} times its size ` +
        `(limit ${mib(budget)}): a zip bomb, not a .probescope file`,
    );
  }
  return entries;
}

/** The local header must be where the directory says, name the same entry, and its data must end before the directory. */
function checkLocalHeader(bytes: Bytes, offset: number, name: string, nameLength: number, compressedSize: number, cdOffset: number): number {
  const where = `zip entry "${name}"`;
  if (offset + 30 > cdOffset || bytes.u32(offset) !== LOCAL_SIGNATURE) throw new ShareFormatError(`${where}: no local header at offset ${offset} (corrupt archive)`);
  const localNameLength = bytes.u16(offset + 26);
  const localExtraLength = bytes.u16(offset + 28);
  const localName = bytes.data.subarray(offset + 30, offset + 30 + localNameLength);
  if (localNameLength !== nameLength || String.fromCharCode(...localName) !== name) {
    throw new ShareFormatError(`${where}: the local header names a different entry (the archive disagrees with itself)`);
  }
  const dataStart = offset + 30 + localNameLength + localExtraLength;
  if (dataStart + compressedSize > cdOffset) throw new ShareFormatError(`${where}: its ${compressedSize} compressed bytes run past the end of the data (truncated or corrupt)`);
  return dataStart;
}

/** Overlapping entries are how the most efficient zip bombs reuse one compressed stream; never legitimate. */
function checkNoOverlap(entries: readonly ZipEntry[]): void {
  const spans = entries.map((e) => ({ name: e.name, start: e.headerStart, end: e.dataStart + e.compressedSize })).sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i].start < spans[i - 1].end) throw new ShareFormatError(`zip entries "${spans[i - 1].name}" and "${spans[i].name}" overlap (a zip bomb or a corrupt archive)`);
  }
}

/**
 * The entry's uncompressed bytes, in a fresh buffer of exactly `entry.size` bytes.
 * `onChunk` sees the size of every inflated chunk before it is checked (progress; tests use it
 * to show that a bomb is stopped after one bounded step).
 */
export function readZipEntry(data: Uint8Array, entry: ZipEntry, onChunk?: (bytes: number) => void): Uint8Array {
  const where = `zip entry "${entry.name}"`;
  const compressed = data.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
  let out: Uint8Array;
  if (entry.method === 0) {
    out = compressed.slice();
  } else {
    const chunks: Uint8Array[] = [];
    let produced = 0;
    const inflater = new Inflate((chunk) => {
      onChunk?.(chunk.length);
      if (produced + chunk.length > entry.size) {
        throw new ShareFormatError(`${where} inflates to more than the ${entry.size} bytes it declares (a zip bomb or a corrupt archive)`);
      }
      chunks.push(chunk.slice());
      produced += chunk.length;
    });
    try {
      for (let at = 0; at < compressed.length; at += INFLATE_CHUNK) {
        inflater.push(compressed.subarray(at, Math.min(at + INFLATE_CHUNK, compressed.length)), at + INFLATE_CHUNK >= compressed.length);
      }
      if (compressed.length === 0) inflater.push(new Uint8Array(0), true);
    } catch (e) {
      if (e instanceof ShareFormatError) throw e;
      throw new ShareFormatError(`${where} is corrupt: its compressed data does not inflate (${(e as Error).message})`);
    }
    if (produced !== entry.size) throw new ShareFormatError(`${where} inflates to ${produced} bytes, but declares ${entry.size} (truncated or corrupt)`);
    out = concat(chunks, produced);
  }
  if (crc32(out) !== entry.crc) throw new ShareFormatError(`${where} fails its CRC-32 check: the file is corrupt`);
  return out;
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
