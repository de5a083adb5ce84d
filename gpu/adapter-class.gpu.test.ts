import { describe, expect, it } from 'vitest';
import { probeAdapter } from './adapter-class.ts';
import { nodeGpu } from './webgpu/node.ts';

describe('adapter probe on Dawn', () => {
  it('finds the test adapter (SwiftShader) and classifies it as software', async () => {
    const probe = await probeAdapter(await nodeGpu());
    expect(probe.ok).toBe(true);
    expect(probe.ok && probe.class).toEqual({ software: true, name: 'SwiftShader' });
  });
  it('says why when there is no WebGPU at all', async () => {
    expect(await probeAdapter(undefined)).toMatchObject({ ok: false, reason: expect.stringContaining('no WebGPU') });
  });
});
