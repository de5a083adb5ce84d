/**
 * Cross-layer transcoders (circuit-tracer layout, written here as files and read through
 * CrossLayerTranscoder): a CLT whose layer-i features are layer i's own ReLU MLP (and write
 * nothing later) gives zero error nodes; a random CLT whose features write every later layer
 * keeps the graph exactly linear, and its cross-layer edges are really used.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../gpu/cpu/backend.ts';
import type { Model } from '../../model/model.ts';
import { modelOnBackend } from '../../model/model.ts';
import { gaussian, randomWeights, smallSpec } from '../../model/random.ts';
import { cltFiles, mlpClt } from '../../../test/clt-files.ts';
import { graphTranscodersFromClt } from './from-dictionary.ts';
import { attributionGraph } from './graph.ts';

function reluModel(): Model {
  const spec = smallSpec('gpt2', { activation: 'relu' });
  return modelOnBackend({ label: 'relu-gpt2', spec, weights: randomWeights(spec, 5), tokenizer: null }, createCpuBackend());
}

describe('attribution graphs with cross-layer transcoders', () => {
  it('a CLT that is the MLPs gives zero error nodes and exact linearity', async () => {
    const model = reluModel();
    const clt = await mlpClt(model);
    const g = await attributionGraph(model, { ids: [3, 17, 42, 5, 9] }, { transcoders: await graphTranscodersFromClt(clt), batchSize: 64 });
    expect(Math.max(...g.values.subarray(g.layout.features, g.layout.features + g.layout.errors))).toBeLessThan(1e-5);
    expect(g.checks.maxIdentityError).toBeLessThan(1e-4);
  });

  it('a random CLT writing every later layer stays exactly linear, and its later-layer decoders carry edges', async () => {
    const model = reluModel();
    const { dModel: d } = model.spec;
    const dSae = 12;
    const normal = gaussian(17);
    const draw = (n: number, s: number) => Float32Array.from({ length: n }, () => s * normal());
    const clt = await cltFiles(
      model,
      dSae,
      async () => ({ wEnc: draw(dSae * d, 1 / Math.sqrt(d)), bEnc: draw(dSae, 0.1), bDec: draw(d, 0.1) }),
      async () => draw(dSae * d, 0.3),
    );
    const transcoders = await graphTranscodersFromClt(clt);
    expect(transcoders[0].decoders.map((x) => x.layer)).toEqual([0, 1]);
    const g = await attributionGraph(model, { ids: [3, 17, 42, 5, 9] }, { transcoders, batchSize: 64 });
    expect(g.checks.maxIdentityError).toBeLessThan(1e-4);
    // Without the layer-0 features' rows into layer 1, their edges change: the cross-layer path is used.
    const cut = transcoders.map((t) => ({ ...t, decoders: t.decoders.filter((x) => x.layer === t.layer) }));
    const h = await attributionGraph(model, { ids: [3, 17, 42, 5, 9] }, { transcoders: cut, batchSize: 64 });
    let moved = 0;
    for (let i = 0; i < g.adjacency.length; i++) moved = Math.max(moved, Math.abs(g.adjacency[i] - h.adjacency[i]));
    expect(moved).toBeGreaterThan(1e-3);
    expect(h.checks.maxIdentityError).toBeLessThan(1e-4);
  });
});
