import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ModelFormatError } from './errors.ts';
import { GgufFile, GgufValueType, readGgufHeader } from './gguf.ts';
import { arr, bool, encodeGguf, f32, str, u32, type WriterTensor } from './gguf-writer.ts';
import { MemorySource } from './memory-source.ts';
import { NodeFolderSource } from './node-source.ts';

const FIXTURES = new URL('../../test/fixtures/gguf/', import.meta.url);
const F = 'model.gguf';

interface GoldenFile {
  tensors: Record<string, { type: string; shape_gguf: number[] }>;
  dequant_goldens: { name: string; data_offset: number; n_bytes: number; raw_sha256: string }[];
  'general.file_type': number;
}
const reference = JSON.parse(readFileSync(new URL('stories260K/reference.json', FIXTURES), 'utf8')) as {
  files: Record<string, GoldenFile>;
};

function mem(bytes: Uint8Array): MemorySource {
  return new MemorySource('mem:test', { [F]: bytes });
}

async function open(bytes: Uint8Array): Promise<GgufFile> {
  return GgufFile.open(mem(bytes), F);
}

/** One F32 [2, 2] tensor "w" (ne [2, 2]) and a little metadata. */
function tiny(version = 3, extra: Partial<WriterTensor> = {}): Uint8Array {
  const data = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
  return encodeGguf({ 'general.architecture': str('llama') }, [{ name: 'w', ne: [2, 2], type: 0, data, ...extra }], { version });
}

describe('GGUF reading: the llama.cpp fixtures', () => {
  const source = new NodeFolderSource(new URL('stories260K/', FIXTURES).pathname);
  it.each(['f32', 'q8_0', 'q4_0'])('%s: tensor table, types and data offsets as llama.cpp wrote them', async (name) => {
    const file = await GgufFile.open(source, `${name}.gguf`);
    const golden = reference.files[name];
    expect(file.header.version).toBe(3);
    expect(file.header.alignment).toBe(32);
    expect(file.value('general.file_type')).toBe(golden['general.file_type']);
    expect(file.value('llama.rope.freq_base')).toBe(10000);
    expect(Object.fromEntries(file.names().map((n) => [n, { type: file.tensor(n).type, shape_gguf: file.tensor(n).ne }]))).toEqual(golden.tensors);
    for (const g of golden.dequant_goldens) {
      const t = file.tensor(g.name);
      expect([t.start, t.end - t.start]).toEqual([g.data_offset, g.n_bytes]);
      const w = await file.read(g.name);
      expect(createHash('sha256').update(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength)).digest('hex')).toBe(g.raw_sha256);
    }
  });

  it('reads array metadata: tokens, scores, token types', async () => {
    const file = await GgufFile.open(source, 'f32.gguf');
    const tokens = file.header.metadata.get('tokenizer.ggml.tokens');
    expect(tokens?.type).toBe(GgufValueType.ARRAY);
    const list = tokens?.value as { elementType: number; values: string[] };
    expect(list.elementType).toBe(GgufValueType.STRING);
    expect(list.values.length).toBe(512);
    expect(list.values[3]).toBe('<0x00>');
    const scores = file.value('tokenizer.ggml.scores') as unknown as { values: number[] };
    expect(new Set(scores.values)).toEqual(new Set([-1000]));
  });

  it('reads tensors one range read each, never the whole file', async () => {
    const bytes = readFileSync(new URL('stories260K/q4_0.gguf', FIXTURES));
    const m = new MemorySource('mem:q4', { [F]: new Uint8Array(bytes) });
    const file = await GgufFile.open(m, F);
    m.reads.length = 0;
    const w = await file.read('blk.0.attn_q.weight');
    expect(w.dtype).toBe('Q4_0');
    expect(w.shape).toEqual([64, 64]);
    expect(m.reads).toEqual([[F, file.tensor('blk.0.attn_q.weight').start, file.tensor('blk.0.attn_q.weight').end]]);
  });
});

describe('GGUF reading: written files', () => {
  it('reads v2 and v3, every metadata type, alignment and shapes', async () => {
    for (const version of [2, 3]) {
      const bytes = encodeGguf(
        {
          u8: { type: GgufValueType.UINT8, value: 255 },
          i8: { type: GgufValueType.INT8, value: -128 },
          u16: { type: GgufValueType.UINT16, value: 65535 },
          i16: { type: GgufValueType.INT16, value: -32768 },
          u32: u32(4294967295),
          i32: { type: GgufValueType.INT32, value: -5 },
          f32: f32(0.5),
          b: bool(true),
          s: str('héllo'),
          u64: { type: GgufValueType.UINT64, value: 2n ** 63n },
          i64: { type: GgufValueType.INT64, value: -7 },
          f64: { type: GgufValueType.FLOAT64, value: Math.PI },
          a: arr(GgufValueType.INT32, [1, -2, 3]),
          e: arr(GgufValueType.STRING, []),
          'general.alignment': u32(64),
        },
        [
          { name: 'a', ne: [3], type: 0, data: new Uint8Array(12) },
          { name: 'b', ne: [32, 2], type: 8, data: new Uint8Array(68) },
        ],
        { version, alignment: 64 },
      );
      const file = await open(bytes);
      expect(file.header.version).toBe(version);
      expect(file.header.alignment).toBe(64);
      expect(file.header.dataStart % 64).toBe(0);
      const values = Object.fromEntries([...file.header.metadata].map(([k, v]) => [k, v.value]));
      expect(values).toEqual({
        u8: 255, i8: -128, u16: 65535, i16: -32768, u32: 4294967295, i32: -5, f32: 0.5, b: true, s: 'héllo',
        u64: 2n ** 63n, i64: -7, f64: Math.PI, a: { elementType: GgufValueType.INT32, values: [1, -2, 3] },
        e: { elementType: GgufValueType.STRING, values: [] }, 'general.alignment': 64,
      });
      expect(file.tensor('b').shape).toEqual([2, 32]);
      expect(file.tensor('b').start).toBe(file.header.dataStart + 64);
      expect((await file.read('b')).dtype).toBe('Q8_0');
    }
  });
});

describe('GGUF reading: malformed files, one clear line each', () => {
  const cases: [string, () => Uint8Array, RegExp][] = [
    ['bad magic', () => { const b = tiny(); b.set([0x47, 0x47, 0x4d, 0x4c]); return b; }, /model\.gguf \(mem:test\): not a GGUF file \(bad magic "GGML", expected "GGUF"\)$/],
    ['empty file', () => new Uint8Array(0), /model\.gguf \(mem:test\) is truncated: 0 bytes, shorter than the 4-byte GGUF magic$/],
    ['version 1', () => tiny(1), /unsupported GGUF version 1 \(GGUF v1 predates 64-bit counts.*versions 2 and 3 are supported$/],
    ['big-endian', () => { const b = tiny(); b.set([0, 0, 0, 3], 4); return b; }, /unsupported GGUF version 50331648 \(a big-endian GGUF/],
    ['truncated in the metadata', () => tiny().slice(0, 40), /model\.gguf \(mem:test\) is truncated or corrupt: length of metadata key #0 at byte 24 is 20, more than the 8 that fit in the rest of the file$/],
    ['truncated in a tensor info', () => tiny().slice(0, 70), /model\.gguf \(mem:test\) is truncated: length of name of tensor #0 at byte 69 needs 8 bytes, but the file ends at byte 70$/],
    ['truncated in the tensor data', () => tiny().slice(0, -4), /tensor "w" \(F32, ne \[2, 2\]\) occupies data bytes \[0, 16\), past the end of the data section \(12 bytes; the file is \d+ bytes\): the file is truncated or the offset is wrong$/],
    ['offset past the end', () => tiny(3, { offset: 1 << 20 }), /tensor "w" .* occupies data bytes \[1048576, 1048592\), past the end of the data section/],
    ['unaligned offset', () => tiny(3, { offset: 4 }), /tensor "w" has offset 4, not a multiple of the alignment 32$/],
    ['unknown tensor type', () => tiny(3, { type: 99 }), /tensor "w" has unknown ggml type 99$/],
    ['rows not whole blocks', () => tiny(3, { type: 8, ne: [16, 2], data: new Uint8Array(34) }), /tensor "w" of type Q8_0 has ne\[0\] = 16, not a multiple of its block size 32$/],
    ['too many dims', () => tiny(3, { ne: [1, 1, 1, 1, 4] }), /tensor "w" has 5 dimensions \(at most 4\)$/],
    ['unknown value type', () => encodeGguf({ k: { type: 13 as GgufValueType.UINT8, value: 0 } }), /metadata "k" has unknown value type 13 \(known: 0–12\)$/],
    ['array of unknown type', () => encodeGguf({ k: arr(14 as GgufValueType, []) }), /metadata "k" is an array of unknown value type 14/],
    ['bad bool', () => encodeGguf({ k: { type: GgufValueType.BOOL, value: 2 } }), /metadata "k" is a bool with byte value 2/],
    ['bad alignment', () => encodeGguf({ 'general.alignment': u32(24) }), /general\.alignment must be a u32 power of two, got 24$/],
    ['duplicate key', () => { const b = encodeGguf({ ka: u32(1), kb: u32(2) }); b[b.indexOf(0x62, 24)] = 0x61; return b; }, /duplicate metadata key "ka"$/],
    ['huge string length', () => { const b = encodeGguf({ k: str('x') }); new DataView(b.buffer).setBigUint64(24 + 8 + 1 + 4, 2n ** 62n, true); return b; }, /is truncated or corrupt: length of metadata "k" at byte 37 is 4611686018427387904, more than the \d+ that fit in the rest of the file$/],
  ];
  it.each(cases)('%s', async (_, make, message) => {
    const err = await open(make()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });

  it('refuses tensor data holding NaN or infinity (a value, or a block scale) on read', async () => {
    const nan = await open(tiny(3, { data: new Uint8Array(new Float32Array([1, NaN, 3, 4]).buffer) }));
    await expect(nan.read('w')).rejects.toThrow(
      new ModelFormatError('model.gguf (mem:test): tensor "w" (F32) holds a NaN or infinity at element 1: the file is corrupt (a damaged download, or a header that no longer points at the data)'),
    );
    const block = new Uint8Array(34);
    block.set([0x00, 0x7c]); // f16 +∞ scale
    const inf = await open(tiny(3, { type: 8, ne: [32, 1], data: block }));
    await expect(inf.read('w')).rejects.toThrow(/tensor "w" \(Q8_0\) holds a NaN or infinity at the scale of block 0/);
  });

  it('refuses an unsupported type on read, naming the type and the tensor', async () => {
    const file = await open(tiny(3, { type: 12, ne: [256, 1], data: new Uint8Array(144) }));
    await expect(file.read('w')).rejects.toThrow(
      new ModelFormatError('model.gguf (mem:test): tensor "w" has type Q4_K, which is not supported yet (supported: F32, F16, BF16, Q8_0, Q4_0)'),
    );
  });
});

describe('GGUF reading: hostile bytes (fuzz)', () => {
  it('any corruption of a valid file gives a ModelFormatError or a valid header, never a crash or hang', async () => {
    const base = encodeGguf(
      { 'general.architecture': str('llama'), t: arr(GgufValueType.STRING, ['a', 'bb']), n: u32(3) },
      [{ name: 'w', ne: [32, 2], type: 8, data: new Uint8Array(68) }, { name: 'n', ne: [4], type: 0, data: new Uint8Array(16) }],
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(base.length),
        async (edits, cut) => {
          const bytes = base.slice(0, cut);
          for (const [at, v] of edits) if (at < bytes.length) bytes[at] = v;
          try {
            const header = await readGgufHeader(mem(bytes), F);
            for (const t of header.tensors.values()) expect(t.end).toBeLessThanOrEqual(bytes.length);
          } catch (e) {
            if (!(e instanceof ModelFormatError)) throw e;
            expect(e.message).not.toContain('\n');
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
