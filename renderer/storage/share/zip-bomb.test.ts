/**
 * Issue #11, finding 4: a 1.97 MiB .probescope holding two 1008 MiB runs of zeros stayed inside
 * the per-entry and total limits and was inflated whole (2.2 GB of memory, 18 s). The archive's
 * declared sizes are now also bounded by its own size (the compression ratio), before anything
 * is inflated.
 */
import { deflateRawSync, constants as zlib } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.ts';
import { readProjectFile } from './import.ts';
import { DEFAULT_SHARE_LIMITS } from './limits.ts';
import { readZipDirectory, readZipEntry } from './zip-reader.ts';
import { makeRawZip, textBytes } from './zip-test-support.ts';

const MiB = 1024 * 1024;

/**
 * A raw deflate stream of `mib` MiB of zeros, built without allocating them: one sync-flushed
 * (byte-aligned, non-final) block stream of 1 MiB of zeros, repeated, then a final empty block.
 */
function zerosDeflated(mib: number): Uint8Array {
  const block = deflateRawSync(new Uint8Array(MiB), { level: 9, finishFlush: zlib.Z_SYNC_FLUSH });
  const final = deflateRawSync(new Uint8Array(0));
  const out = new Uint8Array(block.length * mib + final.length);
  for (let i = 0; i < mib; i++) out.set(block, i * block.length);
  out.set(final, block.length * mib);
  return out;
}

function json(name: string, value: unknown) {
  const data = textBytes(JSON.stringify(value));
  return { name, data, method: 0 as const, size: data.length, crc: crc32(data) };
}

/** A valid, empty project, so that nothing but the arrays could stop the import. */
const VALID_MANIFEST = { format: 'probescope-project', formatVersion: 1, appVersion: '0.1.0', created: '2026-01-01T00:00:00Z' };
const VALID_DOCUMENT = {
  project: { id: 'p', name: 'bomb', model: null, createdAt: 0, updatedAt: 0 },
  prompts: [], datasets: [], experiments: [], figures: [], probes: [], notebooks: [],
};

describe('bounded inflation of .probescope files', () => {
  it('the stream builder makes real zeros (checked on a small one)', () => {
    const zip = makeRawZip([{ name: 'arrays/0.bin', data: zerosDeflated(3), method: 8, size: 3 * MiB, crc: crc32(new Uint8Array(3 * MiB)) }]);
    const [entry] = readZipDirectory(zip, DEFAULT_SHARE_LIMITS, () => true);
    const out = readZipEntry(zip, entry);
    expect(out.length).toBe(3 * MiB);
    expect(out.every((b) => b === 0)).toBe(true);
  });

  it('two 1008 MiB runs of zeros in a ~2 MiB file are refused by their ratio before inflating', () => {
    const bomb = zerosDeflated(1008);
    const zip = makeRawZip([
      json('manifest.json', VALID_MANIFEST),
      json('project.json', VALID_DOCUMENT),
      { name: 'arrays/0.bin', data: bomb, method: 8, size: 1008 * MiB, crc: 0 },
      { name: 'arrays/1.bin', data: bomb, method: 8, size: 1008 * MiB, crc: 0 },
    ]);
    expect(zip.length).toBeLessThan(2.5 * MiB);
    // Inside the per-entry and total limits: only the ratio stops it.
    expect(2 * 1008 * MiB).toBeLessThan(DEFAULT_SHARE_LIMITS.maxTotalBytes);
    expect(() => readProjectFile(zip)).toThrow(/^the archive declares 2016\.0 MiB uncompressed from a \d\.\d MiB file, more than 100 times its size \(limit \d+\.\d MiB\): a zip bomb/);
  });

  it('the same file without the arrays reads (the manifest and document are valid)', () => {
    const zip = makeRawZip([json('manifest.json', VALID_MANIFEST), json('project.json', VALID_DOCUMENT)]);
    expect(readProjectFile(zip).document.project.name).toBe('bomb');
  });

  it('a small archive may inflate up to ratioFreeBytes whatever its ratio', () => {
    const zip = makeRawZip([{ name: 'arrays/0.bin', data: zerosDeflated(8), method: 8, size: 8 * MiB, crc: crc32(new Uint8Array(8 * MiB)) }]);
    const [entry] = readZipDirectory(zip, DEFAULT_SHARE_LIMITS, () => true);
    expect(readZipEntry(zip, entry).length).toBe(8 * MiB);
  });
});
