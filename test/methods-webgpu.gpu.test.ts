/**
 * Issue 5 on the WebGPU backend: gradients at every hook point agree with the CPU backend (whose
 * gradients match float64 finite differences and the golden (f)), and golden (f) itself holds on
 * WebGPU. Software adapter in CI.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../gpu/cpu/backend.ts';
import type { WebGpuBackend } from '../gpu/webgpu/index.ts';
import { sharedGpu } from '../gpu/webgpu/testing.ts';
import { gradients } from '../analysis/grad/gradients.ts';
import { logitDiff } from '../analysis/grad/metric.ts';
import { hook } from '../analysis/hooks/points.ts';
import { loadFixtureModel } from './fixture-model.ts';
import type { FixtureModel } from './reference.ts';
import { BASE_FIXTURE_MODELS, flatten, loadReference, worstMismatch } from './reference.ts';

interface GoldenGradients {
  input_ids: number[];
  clean_token: number;
  corrupted_token: number;
  resid_pre_layers: number[];
  resid_pre: number[][][];
  attn_z_layer: number;
  attn_z: number[][][];
}

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await sharedGpu();
});

describe.each(BASE_FIXTURE_MODELS)('gradients on WebGPU: %s', (name: FixtureModel) => {
  it('golden (f) and CPU agreement at every hook point', async () => {
    const golden = loadReference(name).methods.gradients as GoldenGradients;
    const [onGpu, onCpu] = [await loadFixtureModel(name, gpu), await loadFixtureModel(name, createCpuBackend())];
    const options = { metric: logitDiff(golden.clean_token, golden.corrupted_token), wrt: ['**'] };
    const [g, c] = [await gradients(onGpu, { ids: golden.input_ids }, options), await gradients(onCpu, { ids: golden.input_ids }, options)];
    expect(Math.abs(g.value - c.value)).toBeLessThan(1e-4);
    expect(Object.keys(g.grads).sort()).toEqual(Object.keys(c.grads).sort());
    expect(Object.keys(g.grads).length).toBeGreaterThan(10);
    for (const [hookName, cg] of Object.entries(c.grads)) {
      expect(worstMismatch(g.grads[hookName].data, cg.data, 1e-4, 1e-3), hookName).toBeNull();
    }
    golden.resid_pre_layers.forEach((l, i) => {
      expect(worstMismatch(g.grads[hook.residPre(l)].data, flatten(golden.resid_pre[i]).data), hook.residPre(l)).toBeNull();
    });
    expect(worstMismatch(g.grads[hook.z(golden.attn_z_layer)].data, flatten(golden.attn_z).data)).toBeNull();
  });
});
