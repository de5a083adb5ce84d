/** The attribution graph on WebGPU (SwiftShader in CI) equals the CPU backend's, with the fixture transcoder. */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../gpu/cpu/backend.ts';
import type { WebGpuBackend } from '../../../gpu/webgpu/index.ts';
import { sharedGpu } from '../../../gpu/webgpu/testing.ts';
import { NodeFolderSource } from '../../formats/node-source.ts';
import { openDictionaries } from '../../dictionaries/open.ts';
import { loadFixtureModel } from '../../../test/fixture-model.ts';
import { FIXTURES } from '../../../test/reference.ts';
import { attributionGraph } from './graph.ts';
import { graphTranscoder } from './from-dictionary.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await sharedGpu();
});

describe('attribution graph on WebGPU', () => {
  it('gives the CPU backend’s nodes and edges and stays exactly linear', async () => {
    const [dict] = await openDictionaries(new NodeFolderSource(`${FIXTURES}saes/stories260K-hf/jumprelu_transcoder-L1-mlp`));
    const transcoders = [graphTranscoder(dict)];
    const ids = [1, 317];
    const onGpu = await attributionGraph(await loadFixtureModel('stories260K-hf', gpu), { ids }, { transcoders, batchSize: 128 });
    const onCpu = await attributionGraph(await loadFixtureModel('stories260K-hf', createCpuBackend()), { ids }, { transcoders, batchSize: 128 });
    expect(onGpu.features.map((f) => [f.layer, f.pos, f.feature])).toEqual(onCpu.features.map((f) => [f.layer, f.pos, f.feature]));
    expect(onGpu.checks.maxIdentityError).toBeLessThan(1e-4);
    let worst = 0;
    for (let i = 0; i < onCpu.adjacency.length; i++) worst = Math.max(worst, Math.abs(onGpu.adjacency[i] - onCpu.adjacency[i]));
    expect(worst).toBeLessThan(1e-4);
  });
});
