/**
 * A cross-layer transcoder spliced on WebGPU against the same splice on the CPU reference: a random
 * JumpReLU CLT without the error term (every layer's features writing every later layer, one
 * feature steered) gives the same logits and layer-1 reconstruction within 1e-4.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../gpu/backend.ts';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import type { WebGpuBackend } from '../../gpu/webgpu/index.ts';
import { sharedGpu } from '../../gpu/webgpu/testing.ts';
import { hook } from '../hooks/points.ts';
import { modelOnBackend } from '../model/model.ts';
import { gaussian, randomWeights, smallSpec } from '../model/random.ts';
import { run } from '../model/run.ts';
import { cltFiles } from '../../test/clt-files.ts';
import { cltLayers } from './circuit-tracer.ts';
import { cltOnBackend, disposeClt } from './clt-device.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await sharedGpu();
});

const spec = smallSpec('gpt2', { activation: 'relu' });
const weights = randomWeights(spec, 5);
const ids = [3, 17, 42, 5, 9];
const recons1 = `${hook.mlpOut(1)}.hook_sae_recons`;

async function spliced(backend: Backend) {
  const model = modelOnBackend({ label: 'relu-gpt2', spec, weights, tokenizer: null }, backend);
  const { dModel: d } = spec;
  const dSae = 12;
  const normal = gaussian(17);
  const draw = (n: number, s: number) => Float32Array.from({ length: n }, () => s * normal());
  const files = await cltFiles(
    model,
    dSae,
    async () => ({ wEnc: draw(dSae * d, 1 / Math.sqrt(d)), bEnc: draw(dSae, 0.1), bDec: draw(d, 0.1), threshold: draw(dSae, 0.1).map(Math.abs) }),
    async () => draw(dSae * d, 0.3),
  );
  const clt = cltOnBackend(await cltLayers(files), backend, 'random CLT');
  try {
    return await run(model, { ids }, { crossLayerTranscoder: { clt, steer: [{ layer: 0, feature: 2, coefficient: 2 }] }, capture: [recons1] });
  } finally {
    disposeClt(clt);
  }
}

describe('cross-layer transcoder splice on WebGPU', () => {
  it('matches the CPU reference', async () => {
    const [onCpu, onGpu] = [await spliced(createCpuBackend()), await spliced(gpu)];
    for (const [a, b] of [[onGpu.logits!.data, onCpu.logits!.data], [onGpu.cache[recons1].data, onCpu.cache[recons1].data]]) {
      let worst = 0;
      for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
      expect(worst).toBeLessThan(1e-4);
    }
  });
});
