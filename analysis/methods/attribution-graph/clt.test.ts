/**
 * Cross-layer transcoders (circuit-tracer layout, written here as files and read through
 * CrossLayerTranscoder): a CLT whose layer-i features are layer i's own ReLU MLP (and write
 * nothing later) gives zero error nodes; a random CLT whose features write every later layer
 * keeps the graph exactly linear, and its cross-layer edges are really used.
 */
import { describe, expect, it } from 'vitest';
import type { HostWeight } from '../../../gpu/backend.ts';
import { createCpuBackend } from '../../../gpu/cpu/backend.ts';
import { CrossLayerTranscoder } from '../../dictionaries/circuit-tracer.ts';
import { MemorySource } from '../../formats/memory-source.ts';
import { encodeSafetensors } from '../../formats/safetensors-writer.ts';
import type { Model } from '../../model/model.ts';
import { modelOnBackend } from '../../model/model.ts';
import { gaussian, randomWeights, smallSpec } from '../../model/random.ts';
import { graphTranscodersFromClt } from './from-dictionary.ts';
import { attributionGraph } from './graph.ts';

const f32 = (name: string, shape: number[], data: Float32Array): HostWeight => ({ name, dtype: 'F32', shape, data });

function reluModel(): Model {
  const spec = smallSpec('gpt2', { activation: 'relu' });
  return modelOnBackend({ label: 'relu-gpt2', spec, weights: randomWeights(spec, 5), tokenizer: null }, createCpuBackend());
}

/** CLT files: decoder(i, k) gives layer i's rows into layer i + k as [dSae, d] (feature-major). */
async function cltFiles(model: Model, dSae: number, encoder: (i: number) => Promise<{ wEnc: Float32Array; bEnc: Float32Array; bDec: Float32Array }>, decoder: (i: number, k: number) => Promise<Float32Array>): Promise<CrossLayerTranscoder> {
  const { nLayers: L, dModel: d } = model.spec;
  const files: Record<string, Uint8Array | string> = { 'config.yaml': 'model_kind: cross_layer_transcoder\nfeature_input_hook: ln2.hook_normalized\nfeature_output_hook: hook_mlp_out\n' };
  for (let i = 0; i < L; i++) {
    const e = await encoder(i);
    files[`W_enc_${i}.safetensors`] = encodeSafetensors([f32(`W_enc_${i}`, [dSae, d], e.wEnc), f32(`b_enc_${i}`, [dSae], e.bEnc), f32(`b_dec_${i}`, [d], e.bDec)]);
    const span = L - i;
    const all = new Float32Array(dSae * span * d);
    for (let k = 0; k < span; k++) {
      const rows = await decoder(i, k);
      for (let f = 0; f < dSae; f++) all.set(rows.subarray(f * d, (f + 1) * d), (f * span + k) * d);
    }
    files[`W_dec_${i}.safetensors`] = encodeSafetensors([f32(`W_dec_${i}`, [dSae, span, d], all)]);
  }
  return CrossLayerTranscoder.open(new MemorySource('clt', files), L);
}

describe('attribution graphs with cross-layer transcoders', () => {
  it('a CLT that is the MLPs gives zero error nodes and exact linearity', async () => {
    const model = reluModel();
    const { dModel: d, dMlp } = model.spec;
    const clt = await cltFiles(
      model,
      dMlp,
      async (i) => {
        const w = model.weights.blocks[i].mlp;
        const [wIn, bIn, bOut] = await model.backend.read([w.wIn, w.bIn!, w.bOut!]);
        return { wEnc: wIn, bEnc: bIn, bDec: bOut };
      },
      async (i, k) => {
        const rows = new Float32Array(dMlp * d);
        if (k > 0) return rows;
        const [wOut] = await model.backend.read([model.weights.blocks[i].mlp.wOut]);
        for (let j = 0; j < d; j++) for (let f = 0; f < dMlp; f++) rows[f * d + j] = wOut[j * dMlp + f];
        return rows;
      },
    );
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
