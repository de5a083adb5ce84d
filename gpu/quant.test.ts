import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Float16Array } from '@petamoriken/float16';
import fc from 'fast-check';
import { NodeFolderSource } from '../analysis/formats/node-source.ts';
import { GgufFile } from '../analysis/formats/gguf.ts';
import { createCpuBackend } from './cpu/backend.ts';
import { toFloat32 } from './dtype.ts';
import { BLOCK_FORMATS, blockFormat, decodeBlocks, roundRowToQ8_0, roundToHalf } from './quant.ts';

const DIR = new URL('../test/fixtures/gguf/stories260K/', import.meta.url);

interface Golden {
  name: string;
  type: string;
  first_block_hex: string;
  first_rows: number[][];
  sum: number;
  sum_abs: number;
}
const reference = JSON.parse(readFileSync(new URL('reference.json', DIR), 'utf8')) as {
  files: Record<string, { dequant_goldens: Golden[] }>;
};

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

describe('ggml block decoding: the llama.cpp dequantisation goldens, bit for bit', () => {
  for (const file of ['q8_0', 'q4_0']) {
    it(`${file}: every quantised and F16 tensor's first block, first rows and sums`, async () => {
      const gguf = await GgufFile.open(new NodeFolderSource(DIR.pathname), `${file}.gguf`);
      const goldens = reference.files[file].dequant_goldens;
      expect(goldens.length).toBeGreaterThan(30);
      for (const g of goldens) {
        const w = await gguf.read(g.name);
        expect(w.dtype).toBe(g.type);
        const values = toFloat32(w);
        const cols = w.shape[1];
        // Goldens are shortest round-trip decimals of float32 values: fround recovers the bits.
        expect(Array.from(values.subarray(0, 2 * cols))).toEqual(g.first_rows.flat().map(Math.fround));
        let sum = 0;
        let sumAbs = 0;
        for (const v of values) {
          sum += v;
          sumAbs += Math.abs(v);
        }
        expect(sum).toBeCloseTo(g.sum, 6);
        expect(sumAbs).toBeCloseTo(g.sum_abs, 6);
        if (g.type !== 'F16') {
          const format = blockFormat(g.type as 'Q8_0' | 'Q4_0');
          const block = new Float32Array(32);
          decodeBlocks(format, hexBytes(g.first_block_hex), 0, 32, block);
          expect(Array.from(block)).toEqual(g.first_rows[0].slice(0, 32).map(Math.fround));
        }
      }
    });
  }

  it('Q4_0 puts low nibbles first and high nibbles second (not interleaved)', () => {
    const block = new Uint8Array(18);
    block.set([0x00, 0x3c]); // d = 1.0
    block[2] = 0x9f; // value 0: 15 − 8 = 7, value 16: 9 − 8 = 1
    const out = new Float32Array(32);
    decodeBlocks(blockFormat('Q4_0'), block, 0, 32, out);
    expect([out[0], out[16], out[1]]).toEqual([7, 1, -8]);
  });

  it('a new type is one entry: the formats table lists each with its block size', () => {
    expect([...BLOCK_FORMATS.values()].map((f) => [f.dtype, f.blockValues, f.blockBytes])).toEqual([
      ['Q8_0', 32, 34],
      ['Q4_0', 32, 18],
    ]);
  });
});

describe('llama.cpp activation rounding (parity mode)', () => {
  it('roundToHalf is IEEE round-to-nearest-even to binary16', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true }), (v) => {
        const expected = new Float16Array([v])[0];
        expect(Object.is(roundToHalf(v), expected) || roundToHalf(v) === expected).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(roundToHalf(65519)).toBe(65504);
    expect(roundToHalf(65520)).toBe(Infinity);
    expect(roundToHalf(2 ** -25)).toBe(0); // tie between 0 and the smallest subnormal: even (0)
    expect(roundToHalf(3 * 2 ** -25)).toBe(2 ** -23);
  });

  it('Q8_0 activation rounding: d = fp16(amax/127), q = round-half-even(x·127/amax)', () => {
    const x = new Float32Array(32);
    x[0] = 127;
    x[1] = 0.5; // exactly half: rounds to even 0
    x[2] = 1.5; // rounds to 2
    x[3] = -2.5; // rounds to -2
    const out = new Float32Array(32);
    roundRowToQ8_0(x, out, 0, 32);
    expect(Array.from(out.subarray(0, 4))).toEqual([127, 0, 2, -2]);
    const zeros = new Float32Array(32);
    roundRowToQ8_0(zeros, zeros, 0, 32);
    expect(zeros.every((v) => v === 0)).toBe(true);
  });
});

describe('CPU backend: block-quantised weights stay in blocks and compute like their exact decoding', () => {
  it.each(['Q8_0', 'Q4_0'] as const)('%s linear, linearTransposed, gather, headResult and read', async (dtype) => {
    const gguf = await GgufFile.open(new NodeFolderSource(DIR.pathname), `${dtype.toLowerCase()}.gguf`);
    const w = await gguf.read('blk.1.attn_output.weight'); // [64, 64]
    expect(w.dtype).toBe(dtype);
    const cpu = createCpuBackend();
    const blocks = cpu.uploadWeight(w);
    const dense = cpu.uploadWeight({ name: 'dense', dtype: 'F32', shape: w.shape, data: toFloat32(w) });
    expect(cpu.storedBytes(blocks)).toBe(w.data.byteLength);
    const x = cpu.upload(Float32Array.from({ length: 3 * 64 }, (_, i) => Math.sin(i)), [3, 64]);
    const z = cpu.upload(Float32Array.from({ length: 64 }, (_, i) => Math.cos(i)), [1, 1, 8, 8]);
    const pairs = [
      [cpu.linear(x, blocks), cpu.linear(x, dense)],
      [cpu.linearTransposed(x, blocks), cpu.linearTransposed(x, dense)],
      [cpu.gather(blocks, new Int32Array([5, 0, 63])), cpu.gather(dense, new Int32Array([5, 0, 63]))],
      [cpu.headResult(z, blocks), cpu.headResult(z, dense)],
      [blocks, dense],
    ];
    for (const [a, b] of pairs) {
      const [ra, rb] = await cpu.read([a, b]);
      expect(ra).toEqual(rb);
    }
  });
});
