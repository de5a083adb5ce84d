/**
 * attentionScores → softmax → attentionMix against the CPU reference: causal masking with
 * queryOffset (KV cache), key padding, grouped-query attention, single-token decode, and rows
 * that are entirely masked (softmax gives 0, not NaN).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AttentionMask } from '../backend.ts';
import type { WebGpuBackend } from './index.ts';
import { cpu, DOT, expectMatch, pair, randomData, sharedGpu, TIGHT } from './testing.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await sharedGpu();
});

interface Case {
  readonly batch: number;
  readonly pos: number;
  readonly kvPos: number;
  readonly head: number;
  readonly kvHead: number;
  readonly dHead: number;
  readonly mask: AttentionMask;
}

async function checkAttention(c: Case): Promise<Float32Array> {
  const { batch, pos, kvPos, head, kvHead, dHead, mask } = c;
  const [qg, qc] = pair(gpu, randomData(batch * pos * head * dHead, 1, 2), [batch, pos, head, dHead]);
  const [kg, kc] = pair(gpu, randomData(batch * kvPos * kvHead * dHead, 2, 2), [batch, kvPos, kvHead, dHead]);
  const [vg, vc] = pair(gpu, randomData(batch * kvPos * kvHead * dHead, 3), [batch, kvPos, kvHead, dHead]);
  const scale = 1 / Math.sqrt(dHead);
  const sg = gpu.attentionScores(qg, kg, scale, mask);
  const sc = cpu.attentionScores(qc, kc, scale, mask);
  await expectMatch(gpu, sg, sc, DOT, 'scores');
  const pg = gpu.softmax(sg);
  const pc = cpu.softmax(sc);
  await expectMatch(gpu, pg, pc, TIGHT, 'pattern');
  await expectMatch(gpu, gpu.attentionMix(pg, vg), cpu.attentionMix(pc, vc), DOT, 'z');
  const [pattern] = await gpu.read([pg]);
  return pattern;
}

describe('attention', () => {
  it('prefill: causal, multi-head, odd sizes', async () => {
    await checkAttention({ batch: 2, pos: 7, kvPos: 7, head: 3, kvHead: 3, dHead: 10, mask: { queryOffset: 0 } });
  });

  it('grouped-query attention with a KV cache (queryOffset > 0) and key padding', async () => {
    // Batch 0 is left-padded by two tokens, batch 1 has a padding hole.
    const kvPos = 9;
    const keyValid = Uint8Array.from([0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1]);
    await checkAttention({ batch: 2, pos: 5, kvPos, head: 6, kvHead: 2, dHead: 12, mask: { queryOffset: 4, keyValid } });
  });

  it('single-token decode (pos = 1) with GQA', async () => {
    await checkAttention({ batch: 1, pos: 1, kvPos: 37, head: 4, kvHead: 1, dHead: 16, mask: { queryOffset: 36 } });
  });

  it('long causal rows cross key tiles (fully masked tiles are skipped)', async () => {
    await checkAttention({ batch: 1, pos: 70, kvPos: 70, head: 2, kvHead: 2, dHead: 8, mask: { queryOffset: 0 } });
  });

  it('a query that sees only padding gets an all-zero pattern row', async () => {
    const keyValid = Uint8Array.from([0, 0, 1, 1, 1]);
    const pattern = await checkAttention({ batch: 1, pos: 5, kvPos: 5, head: 1, kvHead: 1, dHead: 4, mask: { queryOffset: 0, keyValid } });
    expect(Array.from(pattern.subarray(0, 10))).toEqual(new Array(10).fill(0));
  });

  it('softmax of −inf rows and of plain rows (odd and long lengths)', async () => {
    for (const n of [1, 3, 37, 1000]) {
      const data = randomData(4 * n, 4, 20);
      data.fill(-Infinity, 0, n); // row 0 fully masked
      const [g, c] = pair(gpu, data, [4, n]);
      await expectMatch(gpu, gpu.softmax(g), cpu.softmax(c), TIGHT, `softmax n=${n}`);
    }
  });

  it('names shape mismatches', () => {
    const q = gpu.upload(randomData(2 * 3 * 4 * 8, 5), [2, 3, 4, 8]);
    const k = gpu.upload(randomData(2 * 3 * 3 * 8, 6), [2, 3, 3, 8]);
    expect(() => gpu.attentionScores(q, k, 1, { queryOffset: 0 })).toThrow(/head % kvHead/);
    const k2 = gpu.upload(randomData(2 * 3 * 2 * 8, 6), [2, 3, 2, 8]);
    expect(() => gpu.attentionScores(q, k2, 1, { queryOffset: 0, keyValid: new Uint8Array(5) })).toThrow(/keyValid/);
  });
});
