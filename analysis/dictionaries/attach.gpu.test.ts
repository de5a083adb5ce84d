/**
 * Attached dictionaries on WebGPU equal the CPU reference: gradients through a TopK SAE splice at
 * hook_sae_acts_post, the error term and upstream of the splice (the backward's select, linear and
 * top-k ops on the GPU). Most of the file's time is SwiftShader compiling the backward's kernels.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../gpu/backend.ts';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import type { WebGpuBackend } from '../../gpu/webgpu/index.ts';
import { sharedGpu } from '../../gpu/webgpu/testing.ts';
import { dictionaryIndex, loadFixtureDictionary, loadHost } from '../../test/dictionary-goldens.ts';
import { gradients } from '../grad/gradients.ts';
import { logitDiff } from '../grad/metric.ts';
import { hook } from '../hooks/points.ts';
import type { SpliceMode } from './attach.ts';
import { attachDictionaries, spliceUse } from './attach.ts';
import type { HostDictionary } from './dictionary.ts';
import { dictionaryHook } from './dictionary.ts';
import { dictionaryOnBackend } from './device.ts';

const HOST = 'stories260K-hf';
const CLEAN = [1, 317, 263, 377, 267, 265, 282, 295, 433, 426, 317];
let gpu: WebGpuBackend;
let sae: HostDictionary;
beforeAll(async () => {
  gpu = await sharedGpu();
  sae = await loadFixtureDictionary(HOST, dictionaryIndex(HOST).find((r) => r.folder === 'topk-L2-resid_post')!, 5);
});

async function spliced(backend: Backend, mode: SpliceMode) {
  const model = await loadHost(HOST, backend);
  return attachDictionaries(model, [spliceUse(dictionaryOnBackend(sae, backend), mode)]);
}

function worst(a: Float32Array, b: Float32Array): number {
  let w = 0;
  b.forEach((v, i) => (w = Math.max(w, Math.abs(a[i] - v) / (1 + Math.abs(v)))));
  return w;
}

describe('attached dictionaries on WebGPU', () => {
  for (const mode of ['with-error', 'without-error'] as const) {
    it(`${mode}: gradients at the feature activations, the error term and upstream equal the CPU's`, async () => {
      const out = 'blocks.2.hook_resid_post';
      const wrt = [dictionaryHook.actsPost(out), hook.residPre(1), ...(mode === 'with-error' ? [dictionaryHook.error(out)] : [])];
      const metric = logitDiff(261, 263, -1);
      const [onGpu, onCpu] = await Promise.all([gpu, createCpuBackend()].map(async (b) => gradients(await spliced(b, mode), { ids: CLEAN }, { metric, wrt })));
      expect(onGpu.value).toBeCloseTo(onCpu.value, 3);
      for (const h of wrt) expect(worst(onGpu.grads[h].data, onCpu.grads[h].data), h).toBeLessThan(1e-3);
    });
  }

});
