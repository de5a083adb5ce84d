import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebGpuBackend } from './index.ts';
import { createNodeWebGpuBackend } from './node.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await createNodeWebGpuBackend();
});
afterAll(() => gpu.destroy());

describe('adapter features', () => {
  it('are detected and reported (SwiftShader: subgroups and timestamp-query, no shader-f16)', () => {
    expect(gpu.info.features).toBeDefined();
    expect(gpu.info.features).toContain('subgroups');
    expect(gpu.info.features).toContain('timestamp-query');
    expect(gpu.info.features).not.toContain('shader-f16');
  });
});
