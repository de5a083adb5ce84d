import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.ts';
import { ShareFormatError } from './errors.ts';
import { DEFAULT_SHARE_LIMITS } from './limits.ts';
import type { ShareLimits } from './limits.ts';
import { INFLATE_CHUNK, readZipDirectory, readZipEntry } from './zip-reader.ts';
import { makeZip, patchDeclaredSize } from './zip-test-support.ts';

const any = () => true;

function readAll(zip: Uint8Array, limits: ShareLimits = DEFAULT_SHARE_LIMITS, expected: (n: string) => boolean = any) {
  return Object.fromEntries(readZipDirectory(zip, limits, expected).map((e) => [e.name, readZipEntry(zip, e)]));
}

describe('crc32', () => {
  it('matches the standard check value and is incremental', () => {
    const bytes = new TextEncoder().encode('123456789');
    expect(crc32(bytes)).toBe(0xcbf43926);
    expect(crc32(bytes.subarray(4), crc32(bytes.subarray(0, 4)))).toBe(0xcbf43926);
  });
});

describe('readZip', () => {
  it('reads stored and deflated entries exactly', () => {
    const bin = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) & 0xff);
    for (const level of [0, 6] as const) {
      const out = readAll(makeZip({ 'a.json': '{"x":1}', 'arrays/0.bin': bin }, level));
      expect(new TextDecoder().decode(out['a.json'])).toBe('{"x":1}');
      expect(out['arrays/0.bin']).toEqual(bin);
      expect(out['arrays/0.bin'].byteOffset).toBe(0);
    }
  });

  it('refuses names the caller does not expect, before inflating anything', () => {
    const zip = makeZip({ '../../etc/passwd': 'x' });
    expect(() => readZipDirectory(zip, DEFAULT_SHARE_LIMITS, (n) => n === 'manifest.json')).toThrow(/unexpected zip entry "..\/..\/etc\/passwd"/);
  });

  it('refuses non-ASCII and control characters in names', () => {
    expect(() => readAll(makeZip({ 'a\u0000b': 'x' }))).toThrow(/non-printable or non-ASCII/);
    expect(() => readAll(makeZip({ 'é.json': 'x' }))).toThrow(/non-printable or non-ASCII/);
  });

  it('says a truncated file is truncated', () => {
    const zip = makeZip({ 'a.json': 'x'.repeat(1000) });
    for (const cut of [1, 10, 30, zip.length - 40]) {
      expect(() => readAll(zip.subarray(0, zip.length - cut))).toThrow(/truncated/);
    }
    expect(() => readAll(new Uint8Array(5))).toThrow(/too short for a zip archive/);
  });

  it('rejects garbage that is not a zip', () => {
    expect(() => readAll(new TextEncoder().encode('{"format":"probescope-project"} but not zipped at all'))).toThrow(
      /not a \.probescope file, or the file is truncated/,
    );
  });

  it('rejects a flipped byte in the data by its CRC (stored) or the inflater (deflated)', () => {
    const stored = makeZip({ 'arrays/0.bin': new Uint8Array(64).fill(3) }, 0);
    const [entry] = readZipDirectory(stored, DEFAULT_SHARE_LIMITS, any);
    const bad = stored.slice();
    bad[entry.dataStart + 10] ^= 0xff;
    expect(() => readAll(bad)).toThrow(/fails its CRC-32 check/);

    const deflated = makeZip({ 'a.json': JSON.stringify(Array.from({ length: 500 }, (_, i) => i)) }, 6);
    const broken = deflated.slice();
    for (let i = 45; i < 60; i++) broken[i] ^= 0x55;
    expect(() => readAll(broken)).toThrow(ShareFormatError);
    expect(() => readAll(broken)).toThrow(/zip entry "a.json" (is corrupt|inflates to|fails its CRC-32)/);
  });

  describe('zip bombs', () => {
    const zeros = new Uint8Array(4 * 1024 * 1024); // 4 MiB of zeros deflate to ~4 KiB
    const limits: ShareLimits = { ...DEFAULT_SHARE_LIMITS, maxEntryBytes: 1024 * 1024, maxTotalBytes: 3 * 1024 * 1024 };

    it('rejects an entry that declares more than the per-entry limit, before inflating', () => {
      const zip = makeZip({ 'arrays/0.bin': zeros });
      expect(zip.length).toBeLessThan(10_000);
      expect(() => readZipDirectory(zip, limits, any)).toThrow(/declares 4.0 MiB uncompressed, more than the 1.0 MiB limit for one entry/);
    });

    it('rejects entries whose declared sizes add up to more than the total limit', () => {
      const part = new Uint8Array(900 * 1024);
      const zip = makeZip({ 'arrays/0.bin': part, 'arrays/1.bin': part, 'arrays/2.bin': part, 'arrays/3.bin': part });
      expect(() => readZipDirectory(zip, limits, any)).toThrow(/more than 3.0 MiB uncompressed in total/);
    });

    it('stops inflating an entry that produces more than it declares', () => {
      const zip = patchDeclaredSize(makeZip({ 'arrays/0.bin': zeros }), 'arrays/0.bin', 1000);
      const [entry] = readZipDirectory(zip, limits, any);
      expect(entry.size).toBe(1000);
      expect(() => readZipEntry(zip, entry)).toThrow(/inflates to more than the 1000 bytes it declares/);
    });

    it('rejects an entry that produces less than it declares', () => {
      const zip = patchDeclaredSize(makeZip({ 'a.json': 'x'.repeat(100) }), 'a.json', 200);
      const [entry] = readZipDirectory(zip, limits, any);
      expect(() => readZipEntry(zip, entry)).toThrow(/inflates to 100 bytes, but declares 200/);
    });

    it('rejects overlapping entries (a header hidden inside another entry\'s data)', () => {
      // a.json's stored data is itself a local header for b.json followed by b's data; b's
      // central record then points into a's data, so both entries share bytes.
      const name = new TextEncoder().encode('b.json');
      const hidden = new Uint8Array(30 + name.length + 1);
      new DataView(hidden.buffer).setUint32(0, 0x04034b50, true);
      new DataView(hidden.buffer).setUint16(26, name.length, true);
      hidden.set(name, 30);
      hidden[30 + name.length] = 0x79; // "y"
      const zip = makeZip({ 'a.json': hidden, 'b.json': 'y' }, 0);
      const [a, b] = readZipDirectory(zip, DEFAULT_SHARE_LIMITS, any); // well-formed so far
      const view = new DataView(zip.buffer);
      const cdOffset = view.getUint32(zip.length - 22 + 16, true);
      const bCentral = cdOffset + 46 + a.name.length;
      expect(view.getUint32(bCentral + 42, true)).toBe(b.headerStart);
      view.setUint32(bCentral + 42, a.dataStart, true);
      expect(() => readZipDirectory(zip, DEFAULT_SHARE_LIMITS, any)).toThrow(/zip entries "a.json" and "b.json" overlap/);
    });
  });

  it('rejects duplicate names, too many entries and oversized files', () => {
    const one = makeZip({ 'a.json': 'x' });
    expect(() => readZipDirectory(one, { ...DEFAULT_SHARE_LIMITS, maxFileBytes: 10 }, any)).toThrow(/more than the 0.0 MiB a .probescope file may be/);
    const many = makeZip({ a: '1', b: '2', c: '3' });
    expect(() => readZipDirectory(many, { ...DEFAULT_SHARE_LIMITS, maxEntries: 2 }, any)).toThrow(/3 entries, more than the limit of 2/);
  });

  it('rejects encryption and unknown compression methods', () => {
    const zip = makeZip({ 'a.json': 'x' }, 0);
    const view = new DataView(zip.buffer);
    const cd = view.getUint32(zip.length - 22 + 16, true);
    const encrypted = zip.slice();
    new DataView(encrypted.buffer).setUint16(cd + 8, 1, true);
    expect(() => readAll(encrypted)).toThrow(/encrypted/);
    const bzip = zip.slice();
    new DataView(bzip.buffer).setUint16(cd + 10, 12, true);
    expect(() => readAll(bzip)).toThrow(/compression method 12; expected 0 \(stored\) or 8 \(deflate\)/);
  });

  it('stops a bomb early: 32 MiB of zeros declared as 16 bytes is cut off at once', () => {
    const big = deflateSync(new Uint8Array(32 * 1024 * 1024), { level: 9 });
    expect(big.length).toBeLessThan(100_000);
    const bomb = makeZipFromRaw('arrays/0.bin', big, 16);
    const [entry] = readZipDirectory(bomb, DEFAULT_SHARE_LIMITS, any);
    let inflated = 0;
    expect(() => readZipEntry(bomb, entry, (n) => (inflated += n))).toThrow(/inflates to more than the 16 bytes it declares/);
    // One bounded step (deflate expands at most ~1032:1), not the whole 32 MiB.
    expect(inflated).toBeGreaterThan(16);
    expect(inflated).toBeLessThanOrEqual(INFLATE_CHUNK * 1032 + 32 * 1024);
    expect(inflated).toBeLessThan(32 * 1024 * 1024);
  });
});

/** A one-entry zip whose deflated data is `raw` and whose declared size is `size` (crc of zeros). */
function makeZipFromRaw(name: string, raw: Uint8Array, size: number): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const crc = crc32(new Uint8Array(size));
  const local = new Uint8Array(30 + nameBytes.length);
  const lv = new DataView(local.buffer);
  lv.setUint32(0, 0x04034b50, true);
  lv.setUint16(4, 20, true);
  lv.setUint16(8, 8, true);
  lv.setUint32(14, crc, true);
  lv.setUint32(18, raw.length, true);
  lv.setUint32(22, size, true);
  lv.setUint16(26, nameBytes.length, true);
  local.set(nameBytes, 30);
  const central = new Uint8Array(46 + nameBytes.length);
  const cv = new DataView(central.buffer);
  cv.setUint32(0, 0x02014b50, true);
  cv.setUint16(4, 20, true);
  cv.setUint16(6, 20, true);
  cv.setUint16(10, 8, true);
  cv.setUint32(16, crc, true);
  cv.setUint32(20, raw.length, true);
  cv.setUint32(24, size, true);
  cv.setUint16(28, nameBytes.length, true);
  cv.setUint32(42, 0, true);
  central.set(nameBytes, 46);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, 1, true);
  ev.setUint16(10, 1, true);
  ev.setUint32(12, central.length, true);
  ev.setUint32(16, local.length + raw.length, true);
  const out = new Uint8Array(local.length + raw.length + central.length + end.length);
  out.set(local, 0);
  out.set(raw, local.length);
  out.set(central, local.length + raw.length);
  out.set(end, local.length + raw.length + central.length);
  return out;
}
