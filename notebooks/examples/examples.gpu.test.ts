/**
 * The same notebooks on the WebGPU backend (Dawn on SwiftShader in CI): numbers agree with the
 * CPU reference, and the backend is part of the cache key, so a CPU result is never served for
 * a WebGPU run.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import type { WebGpuBackend } from '../../gpu/webgpu/index.ts';
import { sharedGpu } from '../../gpu/webgpu/testing.ts';
import { MemoryCache } from '../cache.ts';
import { nodeModelHost } from '../node/model-host.ts';
import type { CellOutput } from '../runner.ts';
import { runNotebook } from '../runner.ts';
import { parseNotebookText } from '../validate.ts';

type Analysis = Extract<CellOutput, { kind: 'analysis' }>;

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await sharedGpu();
});

describe('example notebooks on WebGPU', () => {
  it('activation patching and the logit lens agree with the CPU backend; the cache keeps them apart', async () => {
    const cache = new MemoryCache();
    const outputs = async (name: string, backend: 'cpu' | 'webgpu') => {
      const plan = parseNotebookText(readFileSync(`notebooks/examples/${name}.probescope-notebook.json`, 'utf8'));
      const run = await runNotebook(plan, { models: nodeModelHost(backend === 'cpu' ? createCpuBackend() : gpu, '.'), cache, backend });
      expect(run.cached).toBe(0);
      return run.outputs.filter((o): o is Analysis => o.kind === 'analysis');
    };
    const [cpuPatch, gpuPatch] = [await outputs('activation-patching', 'cpu'), await outputs('activation-patching', 'webgpu')];
    cpuPatch.forEach((c, i) => {
      const a = c.result as { normalized: number[]; cleanMetric: number };
      const b = gpuPatch[i].result as { normalized: number[]; cleanMetric: number };
      expect(gpuPatch[i].key).not.toBe(c.key);
      expect(b.cleanMetric).toBeCloseTo(a.cleanMetric, 3);
      b.normalized.forEach((v, k) => expect(Math.abs(v - a.normalized[k])).toBeLessThan(1e-3));
    });
    const [cpuLens, gpuLens] = [await outputs('logit-lens', 'cpu'), await outputs('logit-lens', 'webgpu')];
    type Top = { top: { id: number; prob: number }[][][] };
    const a = (cpuLens[0].result as Top).top;
    const b = (gpuLens[0].result as Top).top;
    a.forEach((entry, e) => entry.forEach((pos, p) => {
      expect(b[e][p][0].id).toBe(pos[0].id);
      expect(Math.abs(b[e][p][0].prob - pos[0].prob)).toBeLessThan(1e-4);
    }));
  });
});
