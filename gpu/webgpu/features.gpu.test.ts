import { beforeAll, describe, expect, it } from 'vitest';
import type { WebGpuBackend } from './index.ts';
import { sharedGpu } from './testing.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await sharedGpu();
});

describe('adapter features', () => {
  it('are detected and reported (SwiftShader: subgroups and timestamp-query, no shader-f16)', () => {
    expect(gpu.info.features).toBeDefined();
    expect(gpu.info.features).toContain('subgroups');
    expect(gpu.info.features).toContain('timestamp-query');
    expect(gpu.info.features).not.toContain('shader-f16');
  });
});
