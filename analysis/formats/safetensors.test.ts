import { describe, expect, it } from 'vitest';
import { Float16Array } from '@petamoriken/float16';
import type { HostWeight } from '../../gpu/backend.ts';
import { MemorySource } from './memory-source.ts';
import { encodeSafetensors, frameRawHeader, frameSafetensors } from './safetensors-writer.ts';
import { SafetensorsCheckpoint, readSafetensorsHeader, toFloat32 } from './safetensors.ts';

const F = 'model.safetensors';

function f32(name: string, shape: number[], values: number[]): HostWeight {
  return { name, dtype: 'F32', shape, data: new Float32Array(values) };
}

function f16(name: string, shape: number[], values: number[]): HostWeight {
  return { name, dtype: 'F16', shape, data: new Uint16Array(new Float16Array(values).buffer) };
}

function bf16(name: string, shape: number[], bits: number[]): HostWeight {
  return { name, dtype: 'BF16', shape, data: new Uint16Array(bits) };
}

function source(bytes: Uint8Array, file = F): MemorySource {
  return new MemorySource('mem:test', { [file]: bytes });
}

async function open(bytes: Uint8Array): Promise<SafetensorsCheckpoint> {
  return SafetensorsCheckpoint.open(source(bytes));
}

/** Header for a single F32 [2, 2] tensor "a" at data_offsets [0, 16], data 16 bytes. */
const GOOD_DATA = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);

describe('safetensors reading', () => {
  it('reads F32, F16 and BF16 tensors and the metadata', async () => {
    const file = encodeSafetensors(
      [f32('a', [2, 3], [1, 2, 3, 4, 5, 6]), f16('b', [3], [0.5, -1, 65504]), bf16('c', [2], [0x3f80, 0xc040])],
      { format: 'pt', note: 'x' },
    );
    const ckpt = await open(file);
    expect(ckpt.names()).toEqual(['a', 'b', 'c']);
    expect(ckpt.metadata).toEqual({ format: 'pt', note: 'x' });

    const a = await ckpt.read('a');
    expect(a.dtype).toBe('F32');
    expect(a.shape).toEqual([2, 3]);
    expect(a.data).toBeInstanceOf(Float32Array);
    expect([...a.data]).toEqual([1, 2, 3, 4, 5, 6]);

    const b = await ckpt.read('b');
    expect(b.dtype).toBe('F16');
    expect(b.data).toBeInstanceOf(Uint16Array);
    expect([...toFloat32(b)]).toEqual([0.5, -1, 65504]);

    const c = await ckpt.read('c');
    expect(c.dtype).toBe('BF16');
    expect([...c.data]).toEqual([0x3f80, 0xc040]);
    expect([...toFloat32(c)]).toEqual([1, -3]);
  });

  it('copies tensors at unaligned offsets into aligned buffers', async () => {
    // A 1-byte U8 tensor first puts the F32 tensor at data offset 1 (and the 8-aligned header
    // means file offset ≡ 1 mod 4).
    const data = new Uint8Array(1 + 8);
    data[0] = 7;
    data.set(new Uint8Array(new Float32Array([1.5, -2.5]).buffer), 1);
    const file = frameSafetensors(
      { u: { dtype: 'U8', shape: [1], data_offsets: [0, 1] }, x: { dtype: 'F32', shape: [2], data_offsets: [1, 9] } },
      data,
    );
    const x = await (await open(file)).read('x');
    expect(x.data.byteOffset).toBe(0);
    expect([...x.data]).toEqual([1.5, -2.5]);
  });

  it('reads the header once and each tensor with its own range read', async () => {
    const big = Array.from({ length: 1000 }, (_, i) => i);
    const src = source(encodeSafetensors([f32('a', [1000], big), f32('b', [1000], big), f32('c', [1000], big)]));
    const ckpt = await SafetensorsCheckpoint.open(src);
    const headerReads = src.reads.length;
    expect(headerReads).toBe(2); // length prefix + JSON
    for (const [, start, end] of src.reads) expect(end - start).toBeLessThan(400);
    await ckpt.read('b');
    expect(src.reads.length).toBe(headerReads + 1);
    const [, start, end] = src.reads.at(-1)!;
    expect(end - start).toBe(4000);
  });

  it('loads sharded checkpoints through model.safetensors.index.json', async () => {
    const index = {
      metadata: { total_size: 24 },
      weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' },
    };
    const src = new MemorySource('mem:sharded', {
      'model.safetensors.index.json': JSON.stringify(index),
      'model-00001-of-00002.safetensors': encodeSafetensors([f32('a', [2], [1, 2])]),
      'model-00002-of-00002.safetensors': encodeSafetensors([f32('b', [4], [3, 4, 5, 6])]),
    });
    const ckpt = await SafetensorsCheckpoint.open(src);
    expect(ckpt.names().sort()).toEqual(['a', 'b']);
    expect(ckpt.entry('b').file).toBe('model-00002-of-00002.safetensors');
    expect([...(await ckpt.read('b')).data]).toEqual([3, 4, 5, 6]);
    await expect(ckpt.read('zz')).rejects.toThrow('model.safetensors.index.json (mem:sharded): missing tensor "zz"');
  });

  it('reports a sharded index pointing at a tensor its shard does not hold', async () => {
    const src = new MemorySource('mem:sharded', {
      'model.safetensors.index.json': JSON.stringify({ weight_map: { a: 's1.safetensors', q: 's1.safetensors' } }),
      's1.safetensors': encodeSafetensors([f32('a', [1], [1])]),
    });
    await expect(SafetensorsCheckpoint.open(src)).rejects.toThrow(
      'weight_map puts tensor "q" in s1.safetensors, but s1.safetensors has no such tensor',
    );
  });

  it('reports a malformed index', async () => {
    const src = new MemorySource('mem:sharded', { 'model.safetensors.index.json': '{"weight_map": ' });
    await expect(SafetensorsCheckpoint.open(src)).rejects.toThrow(/^mem:sharded: model.safetensors.index.json is not valid JSON/);
    const noMap = new MemorySource('mem:sharded', { 'model.safetensors.index.json': '{"metadata": {}}' });
    await expect(SafetensorsCheckpoint.open(noMap)).rejects.toThrow('expected an object with a "weight_map" of tensor name → shard file');
  });

  it('reports a missing shard', async () => {
    const src = new MemorySource('mem:sharded', {
      'model.safetensors.index.json': JSON.stringify({ weight_map: { a: 's1.safetensors' } }),
    });
    await expect(SafetensorsCheckpoint.open(src)).rejects.toThrow('shard s1.safetensors (holding "a" and 0 more) is missing');
  });

  it('reports a folder without any safetensors checkpoint', async () => {
    await expect(SafetensorsCheckpoint.open(new MemorySource('mem:empty', { 'pytorch_model.bin': 'x' }))).rejects.toThrow(
      /mem:empty: no model.safetensors or model.safetensors.index.json found \(pytorch_model.bin is present/,
    );
  });
});

describe('safetensors validation', () => {
  it('rejects a file shorter than the 8-byte length prefix', async () => {
    await expect(open(new Uint8Array(5))).rejects.toThrow(
      'model.safetensors (mem:test) is truncated: 5 bytes, shorter than the 8-byte header length',
    );
  });

  it('rejects a file whose data is shorter than the header says', async () => {
    const whole = encodeSafetensors([f32('a', [4], [1, 2, 3, 4]), f32('b', [4], [5, 6, 7, 8])]);
    const cut = whole.slice(0, whole.length - 6);
    await expect(open(cut)).rejects.toThrow(
      `model.safetensors (mem:test) is truncated: the header describes 32 bytes of tensor data but only 26 follow it ` +
        `(expected a file of ${whole.length} bytes, found ${cut.length})`,
    );
  });

  it('rejects a header length past the end of the file', async () => {
    const file = frameSafetensors({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, GOOD_DATA);
    new DataView(file.buffer).setBigUint64(0, 10_000n, true);
    await expect(open(file)).rejects.toThrow(
      `model.safetensors (mem:test): header length 10000 runs past the end of the file (the file is ${file.length} bytes`,
    );
  });

  it('rejects a header length with the high word set', async () => {
    const file = frameSafetensors({}, new Uint8Array(0));
    new DataView(file.buffer).setBigUint64(0, 2n ** 63n, true);
    await expect(open(file)).rejects.toThrow(/header length 9223372036854775808 runs past the end of the file/);
  });

  it('rejects malformed header JSON', async () => {
    const file = frameRawHeader(new TextEncoder().encode('{"a": {"dtype": "F32",'), GOOD_DATA);
    await expect(open(file)).rejects.toThrow(/model.safetensors \(mem:test\): malformed header, not valid UTF-8 JSON/);
  });

  it('rejects a header that is not an object', async () => {
    const file = frameRawHeader(new TextEncoder().encode('[1, 2]  '), GOOD_DATA);
    await expect(open(file)).rejects.toThrow('malformed header, expected a JSON object mapping tensor names to entries');
  });

  it('rejects a header entry without valid data_offsets', async () => {
    const file = frameSafetensors({ a: { dtype: 'F32', shape: [4], data_offsets: [0] } }, GOOD_DATA);
    await expect(open(file)).rejects.toThrow(
      'malformed header entry for tensor "a": "data_offsets" must be [begin, end] with non-negative integers, got [0]',
    );
  });

  it('rejects a negative dimension in a shape', async () => {
    const file = frameSafetensors({ a: { dtype: 'F32', shape: [-4], data_offsets: [0, 16] } }, GOOD_DATA);
    await expect(open(file)).rejects.toThrow('tensor "a": "shape" must be an array of non-negative integers, got [-4]');
  });

  it('rejects overlapping data_offsets', async () => {
    const file = frameSafetensors(
      {
        a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        b: { dtype: 'F32', shape: [3], data_offsets: [4, 16] },
      },
      GOOD_DATA,
    );
    await expect(open(file)).rejects.toThrow(
      'model.safetensors (mem:test): tensors "a" (data_offsets [0, 8]) and "b" (data_offsets [4, 16]) overlap',
    );
  });

  it('rejects out-of-range data_offsets', async () => {
    const file = frameSafetensors(
      {
        a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        b: { dtype: 'F32', shape: [2], data_offsets: [1000, 1008] },
      },
      GOOD_DATA,
    );
    await expect(open(file)).rejects.toThrow(
      'model.safetensors (mem:test): tensor "b" has data_offsets [1000, 1008], out of range: the data section is only 16 bytes',
    );
  });

  it('rejects data_offsets that end before they begin', async () => {
    const file = frameSafetensors({ a: { dtype: 'F32', shape: [0], data_offsets: [8, 4] } }, GOOD_DATA);
    await expect(open(file)).rejects.toThrow('tensor "a": data_offsets [8, 4] end before they begin');
  });

  it('rejects an unknown dtype, naming it and the supported ones', async () => {
    const file = frameSafetensors({ a: { dtype: 'F12', shape: [4], data_offsets: [0, 16] } }, GOOD_DATA);
    await expect(open(file)).rejects.toThrow(
      'model.safetensors (mem:test): tensor "a" has unknown dtype "F12" (supported: F32, F16, BF16)',
    );
  });

  it('rejects reading a tensor of a known but unsupported dtype', async () => {
    const file = frameSafetensors(
      { a: { dtype: 'F64', shape: [2], data_offsets: [0, 16] }, b: { dtype: 'I64', shape: [2], data_offsets: [16, 32] } },
      new Uint8Array(32),
    );
    // The header is valid (an unused I64 buffer must not stop a model from loading) …
    const ckpt = await open(file);
    // … but reading such a tensor names the dtype and what is supported.
    await expect(ckpt.read('a')).rejects.toThrow(
      'model.safetensors (mem:test): tensor "a" has dtype F64, which is not supported (supported: F32, F16, BF16)',
    );
  });

  it('rejects a shape that does not match the byte count', async () => {
    const file = frameSafetensors({ a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 16] } }, GOOD_DATA);
    await expect(open(file)).rejects.toThrow(
      'model.safetensors (mem:test): tensor "a" has shape [2, 3] and dtype F32, which needs 24 bytes, but its data_offsets [0, 16] span 16 bytes',
    );
  });

  it('reports a missing tensor, naming it and the file', async () => {
    const ckpt = await open(encodeSafetensors([f32('a', [1], [1])]));
    await expect(ckpt.read('model.norm.weight')).rejects.toThrow(
      'model.safetensors (mem:test): missing tensor "model.norm.weight"',
    );
  });

  it('rejects non-string __metadata__ values', async () => {
    const file = frameSafetensors({ __metadata__: { format: 1 } }, new Uint8Array(0));
    await expect(readSafetensorsHeader(source(file), F)).rejects.toThrow('"__metadata__.format" must be a string');
  });
});
