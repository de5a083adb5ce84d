/**
 * Browser smoke test: the backend on navigator.gpu in real headless Chromium, one linear and
 * one softmax against values worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { createWebGpuBackend } from './index.ts';

describe('WebGPU backend in the browser', () => {
  it('runs linear + softmax on navigator.gpu', async () => {
    const gpu = await createWebGpuBackend();
    try {
      expect(gpu.info.name).toBe('webgpu');
      expect(gpu.info.adapter.length).toBeGreaterThan(0);
      const x = gpu.upload(Float32Array.from([1, 2, 3, -1, 0.5, 2]), [2, 3]);
      const w = gpu.upload(Float32Array.from([0.5, -1, 0.25, 1, 1, 1, 0, 2, -1, -0.5, 0, 0.5]), [4, 3]);
      const b = gpu.upload(Float32Array.from([0.1, -0.2, 0.3, 0]), [4]);
      const logits = gpu.linear(x, w, b);
      const [y, p] = await gpu.read([logits, gpu.softmax(logits)]);
      const expectedLogits = [-0.65, 5.8, 1.3, 1.0, -0.4, 1.3, -0.7, 1.5];
      const expectedSoftmax = [0.001548136, 0.979509383, 0.010881366, 0.008061114, 0.07193903, 0.393790465, 0.053293744, 0.480976761];
      expectedLogits.forEach((v, i) => expect(y[i]).toBeCloseTo(v, 5));
      expectedSoftmax.forEach((v, i) => expect(p[i]).toBeCloseTo(v, 6));
      expect(gpu.stats().readbacks).toBe(1);
    } finally {
      gpu.destroy();
    }
  });
});
