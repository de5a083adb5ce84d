import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../../analysis/formats/memory-source.ts';
import { NodeFolderSource } from '../../analysis/formats/node-source.ts';
import { frameSafetensors } from '../../analysis/formats/safetensors-writer.ts';
import { describeModelDifference, hashModel, sampleRanges, SAMPLE_WINDOWS, WINDOW_BYTES } from './model-hash.ts';

const FIXTURE = 'test/fixtures/llama-tiny';
const CONFIG = '{"model_type":"llama"}';

/** A one-tensor checkpoint of `bytes` U8 values, so every byte position is addressable. */
function checkpoint(bytes: Uint8Array): Uint8Array {
  return frameSafetensors({ w: { dtype: 'U8', shape: [bytes.length], data_offsets: [0, bytes.length] } }, bytes);
}

function ramp(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
}

describe('hashModel', () => {
  it('hashes config.json with plain SHA-256 and is stable', async () => {
    const a = await hashModel(new NodeFolderSource(FIXTURE));
    const b = await hashModel(new NodeFolderSource(FIXTURE));
    expect(a).toEqual(b);
    expect(a.scheme).toBe('probescope-sampled-v1');
    expect(a.config).toBe(createHash('sha256').update(readFileSync(`${FIXTURE}/config.json`)).digest('hex'));
    expect(a.weights).toMatch(/^[0-9a-f]{64}$/);
    expect(a.weightBytes).toBe(readFileSync(`${FIXTURE}/model.safetensors`).length);
  });

  it('tells different fixtures apart', async () => {
    const llama = await hashModel(new NodeFolderSource(FIXTURE));
    const stories = await hashModel(new NodeFolderSource('test/fixtures/stories260K-hf'));
    expect(stories.weights).not.toBe(llama.weights);
    expect(stories.config).not.toBe(llama.config);
  });

  it('hashes a small data section whole: any changed byte changes the weights digest only', async () => {
    const data = ramp(1000);
    const base = await hashModel(new MemorySource('m', { 'config.json': CONFIG, 'model.safetensors': checkpoint(data) }));
    const edited = data.slice();
    edited[999] ^= 1;
    const other = await hashModel(new MemorySource('m', { 'config.json': CONFIG, 'model.safetensors': checkpoint(edited) }));
    expect(other.config).toBe(base.config);
    expect(other.weights).not.toBe(base.weights);
  });

  it('samples a large data section: reads stay bounded, sampled bytes count, others do not', async () => {
    const n = SAMPLE_WINDOWS * WINDOW_BYTES * 4;
    const data = ramp(n);
    const source = new MemorySource('m', { 'config.json': CONFIG, 'model.safetensors': checkpoint(data) });
    const base = await hashModel(source);
    const read = source.reads.filter(([f]) => f === 'model.safetensors').reduce((s, [, a, b]) => s + b - a, 0);
    expect(read).toBeLessThan(SAMPLE_WINDOWS * WINDOW_BYTES + 4096);

    const inWindow = data.slice();
    inWindow[n - 1] ^= 1; // the last window ends at the end of the file
    expect((await hashModel(new MemorySource('m', { 'config.json': CONFIG, 'model.safetensors': checkpoint(inWindow) }))).weights).not.toBe(base.weights);

    const between = data.slice();
    between[WINDOW_BYTES + 10] ^= 1; // between window 0 and window 1 (step is ~4 windows)
    expect((await hashModel(new MemorySource('m', { 'config.json': CONFIG, 'model.safetensors': checkpoint(between) }))).weights).toBe(base.weights);
  });

  it('covers every shard of a sharded checkpoint, independent of index order', async () => {
    const files = (order: string[]) => ({
      'config.json': CONFIG,
      'model.safetensors.index.json': JSON.stringify({ weight_map: Object.fromEntries(order.map((f, i) => [`t${i}`, f])) }),
      'a.safetensors': checkpoint(ramp(100)),
      'b.safetensors': checkpoint(ramp(200)),
    });
    const ab = await hashModel(new MemorySource('m', files(['a.safetensors', 'b.safetensors'])));
    const ba = await hashModel(new MemorySource('m', files(['b.safetensors', 'a.safetensors'])));
    expect(ab).toEqual(ba);
    const changed = { ...files(['a.safetensors', 'b.safetensors']), 'b.safetensors': checkpoint(ramp(201)) };
    expect((await hashModel(new MemorySource('m', changed))).weights).not.toBe(ab.weights);
  });

  it('names the folder when there are no weights', async () => {
    await expect(hashModel(new MemorySource('empty-folder', { 'config.json': CONFIG }))).rejects.toThrow(/empty-folder: no model\.safetensors/);
  });
});

describe('sampleRanges', () => {
  it('spreads equal windows from the start to the end of the data section', () => {
    const ranges = sampleRanges(100, 100 + 10 * SAMPLE_WINDOWS * WINDOW_BYTES);
    expect(ranges).toHaveLength(SAMPLE_WINDOWS);
    expect(ranges[0][0]).toBe(100);
    expect(ranges.at(-1)?.[1]).toBe(100 + 10 * SAMPLE_WINDOWS * WINDOW_BYTES);
    for (const [a, b] of ranges) expect(b - a).toBe(WINDOW_BYTES);
  });
});

describe('describeModelDifference', () => {
  const hash = { scheme: 'probescope-sampled-v1' as const, config: 'c'.repeat(64), weights: 'w'.repeat(64), weightBytes: 1 };
  it('is null for the same model and names what differs otherwise', () => {
    expect(describeModelDifference({ name: 'a', hash }, { name: 'b', hash })).toBeNull();
    expect(describeModelDifference({ name: 'a', hash }, { name: 'b', hash: { ...hash, weights: 'x'.repeat(64) } })).toMatch(
      /"a".*"b".*differs in its weights: results may not reproduce/,
    );
    expect(describeModelDifference({ name: 'a', hash }, { name: 'a', hash: null })).toBeNull();
  });
});
