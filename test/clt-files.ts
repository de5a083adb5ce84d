/**
 * Test-only: a circuit-tracer cross-layer transcoder written as files in memory (config.yaml,
 * W_enc_{i} / W_dec_{i} safetensors) and opened through CrossLayerTranscoder, so tests exercise
 * the reader too. `decoder(i, k)` gives layer i's rows into layer i + k as [dSae, d] (feature-major).
 */
import type { HostWeight } from '../gpu/backend.ts';
import { CrossLayerTranscoder } from '../analysis/dictionaries/circuit-tracer.ts';
import { MemorySource } from '../analysis/formats/memory-source.ts';
import { encodeSafetensors } from '../analysis/formats/safetensors-writer.ts';
import type { Model } from '../analysis/model/model.ts';

const f32 = (name: string, shape: number[], data: Float32Array): HostWeight => ({ name, dtype: 'F32', shape, data });

export interface CltEncoderValues {
  readonly wEnc: Float32Array;
  readonly bEnc: Float32Array;
  readonly bDec: Float32Array;
  /** JumpReLU thresholds [dSae]; ReLU without. */
  readonly threshold?: Float32Array;
}

/** The files of a CLT folder for `model` (config.yaml, W_enc_{i} / W_dec_{i} safetensors), by name. */
export async function cltFolderFiles(
  model: { readonly spec: { readonly nLayers: number; readonly dModel: number } },
  dSae: number,
  encoder: (i: number) => Promise<CltEncoderValues>,
  decoder: (i: number, k: number) => Promise<Float32Array>,
): Promise<Record<string, Uint8Array | string>> {
  const { nLayers: L, dModel: d } = model.spec;
  const files: Record<string, Uint8Array | string> = { 'config.yaml': 'model_kind: cross_layer_transcoder\nfeature_input_hook: ln2.hook_normalized\nfeature_output_hook: hook_mlp_out\n' };
  for (let i = 0; i < L; i++) {
    const e = await encoder(i);
    const tensors = [f32(`W_enc_${i}`, [dSae, d], e.wEnc), f32(`b_enc_${i}`, [dSae], e.bEnc), f32(`b_dec_${i}`, [d], e.bDec)];
    if (e.threshold) tensors.push(f32(`threshold_${i}`, [dSae], e.threshold));
    files[`W_enc_${i}.safetensors`] = encodeSafetensors(tensors);
    const span = L - i;
    const all = new Float32Array(dSae * span * d);
    for (let k = 0; k < span; k++) {
      const rows = await decoder(i, k);
      for (let f = 0; f < dSae; f++) all.set(rows.subarray(f * d, (f + 1) * d), (f * span + k) * d);
    }
    files[`W_dec_${i}.safetensors`] = encodeSafetensors([f32(`W_dec_${i}`, [dSae, span, d], all)]);
  }
  return files;
}

export async function cltFiles(
  model: Model,
  dSae: number,
  encoder: (i: number) => Promise<CltEncoderValues>,
  decoder: (i: number, k: number) => Promise<Float32Array>,
): Promise<CrossLayerTranscoder> {
  return CrossLayerTranscoder.open(new MemorySource('clt', await cltFolderFiles(model, dSae, encoder, decoder)), model.spec.nLayers);
}

/**
 * A CLT equal to a ReLU model's MLPs: layer i's features are its MLP neurons (W_in, b_in), their
 * rows into layer i are W_outᵀ with b_dec = b_out, and they write nothing into later layers.
 */
export async function mlpClt(model: Model): Promise<CrossLayerTranscoder> {
  const { dModel: d, dMlp } = model.spec;
  return cltFiles(
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
}
