/**
 * Q8_0 / Q4_0 weights on WebGPU: the GEMV (≤ 4 rows), GEMM, gather and headResult kernels read
 * the ggml blocks in place (kernels/blocks.wgsl) and agree with the CPU reference, which decodes
 * the same blocks exactly (gpu/quant.ts, checked bit for bit against llama.cpp's goldens).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { BlockDType, HostWeight } from '../backend.ts';
import type { WebGpuBackend } from './index.ts';
import { cpu, expectMatch, pair, pairWeight, randomData, sharedGpu, TIGHT } from './testing.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await sharedGpu();
});

/** Random blocks: an f16 scale in [2^-10, 2^-6) (a few subnormal-free magnitudes) and random quants. */
function blocks(dtype: BlockDType, rows: number, cols: number, seed: number): HostWeight {
  const blockBytes = dtype === 'Q8_0' ? 34 : 18;
  const n = (rows * cols) / 32;
  const data = new Uint8Array(n * blockBytes);
  const noise = randomData(n * blockBytes, seed);
  for (let b = 0; b < n; b++) {
    const at = b * blockBytes;
    for (let i = 2; i < blockBytes; i++) data[at + i] = Math.floor((noise[at + i] + 1) * 128) & 0xff;
    // f16 with exponent 5..9 (2^-10 … 2^-6), random mantissa and sign.
    const half = (Math.floor((noise[at] + 1) * 2) % 2 << 15) | ((5 + (b % 5)) << 10) | (Math.floor((noise[at + 1] + 1) * 512) & 0x3ff);
    data[at] = half & 0xff;
    data[at + 1] = half >> 8;
  }
  return { name: `${dtype} [${rows}, ${cols}]`, dtype, shape: [rows, cols], data };
}

describe.each(['Q8_0', 'Q4_0'] as const)('%s weights on WebGPU', (dtype) => {
  it('read back exactly; linear (GEMV and GEMM), linearTransposed, gather and headResult agree with the CPU', async () => {
    const w = blocks(dtype, 48, 64, dtype === 'Q8_0' ? 1 : 2);
    const [wg, wc] = pairWeight(gpu, w);
    const [[g], [c]] = [await gpu.read([wg]), await cpu.read([wc])];
    expect(g).toEqual(c);
    for (const rows of [2, 9]) {
      const [xg, xc] = pair(gpu, randomData(rows * 64, 3 + rows), [rows, 64]);
      await expectMatch(gpu, gpu.linear(xg, wg), cpu.linear(xc, wc), TIGHT, `linear, ${rows} rows`);
    }
    const [yg, yc] = pair(gpu, randomData(5 * 48, 7), [5, 48]);
    await expectMatch(gpu, gpu.linearTransposed(yg, wg), cpu.linearTransposed(yc, wc), TIGHT, 'linearTransposed');
    const ids = new Int32Array([47, 0, 13]);
    await expectMatch(gpu, gpu.gather(wg, ids), cpu.gather(wc, ids), TIGHT, 'gather');
    const [zg, zc] = pair(gpu, randomData(1 * 3 * 4 * 16, 11), [1, 3, 4, 16]);
    await expectMatch(gpu, gpu.headResult(zg, wg), cpu.headResult(zc, wc), TIGHT, 'headResult');
    expect(() => gpu.reshape(wg, [64, 48])).toThrow(/WebGPU reshape: a (Q8_0|Q4_0) weight is read only by gather, linear/);
  });
});
