/**
 * The fast CPU backend in real headless Chromium: the kernels compile and instantiate there (the
 * variant the page allows: shared memory and threads only when cross-origin isolated), and a
 * GEMM large enough to be split across threads, a BF16 weight and attention agree with the
 * reference backend.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../cpu/backend.ts';
import { seededRandom } from '../random.ts';
import { createWasmBackend } from './index.ts';

describe('fast CPU backend in the browser', () => {
  it('matches the reference on linear (F32 and BF16 weights) and attention', async () => {
    const fast = await createWasmBackend({ threads: 2 });
    const ref = new CpuBackend();
    try {
      expect(fast.info.name).toBe('wasm');
      expect(fast.threads).toBe(globalThis.crossOriginIsolated ? 2 : 1);
      const random = seededRandom(11);
      const values = (n: number) => Float32Array.from({ length: n }, () => random() * 2 - 1);
      const [M, K, N] = [64, 96, 520];
      const x = values(M * K);
      const w32 = { name: 'w', dtype: 'F32' as const, shape: [N, K], data: values(N * K) };
      const w16 = { name: 'w16', dtype: 'BF16' as const, shape: [N, K], data: Uint16Array.from(new Uint32Array(values(N * K).buffer), (u) => u >>> 16) };
      for (const w of [w32, w16]) {
        const [got] = await fast.read([fast.linear(fast.upload(x, [M, K]), fast.uploadWeight(w))]);
        const [want] = await ref.read([ref.linear(ref.upload(x, [M, K]), ref.uploadWeight(w))]);
        want.forEach((v, i) => expect(Math.abs(got[i] - v), `${w.dtype} element ${i}`).toBeLessThan(1e-4 * (1 + Math.abs(v))));
      }
      const shape = [1, 7, 2, 8];
      const [q, k] = [values(112), values(112)];
      const scores = (b: CpuBackend) => b.softmax(b.attentionScores(b.upload(q, shape), b.upload(k, shape), 0.3, { queryOffset: 0 }));
      const [got] = await fast.read([scores(fast)]);
      const [want] = await ref.read([scores(ref)]);
      want.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThan(1e-6));
    } finally {
      fast.close();
    }
  });
});
