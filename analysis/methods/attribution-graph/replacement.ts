/**
 * The replacement model of an attribution graph at one prompt: every MLP's residual write
 * (blocks.L.hook_mlp_out) is replaced by its transcoder's active features, the transcoder's
 * decoder bias and an error node (true MLP output − transcoder output) per position. Attention
 * patterns and norm scales are frozen at the prompt's run, so every node is a linear function of
 * the nodes before it. A layer without a transcoder is one error node per position (its whole MLP
 * output): the graph stays exact, it just explains less.
 */
import { hook } from '../../hooks/points.ts';
import type { ModelSpec } from '../../model/spec.ts';

/**
 * A per-layer transcoder as the graph needs it, on the host: pre = W_enc·x + b_enc (x read at
 * `inputHook`, position by position), acts = activate(pre), output = acts·W_dec + b_dec written
 * at blocks.{layer}.hook_mlp_out.
 */
export interface GraphTranscoder {
  readonly layer: number;
  /** Where x is read, e.g. blocks.L.ln2.hook_normalized; must lie between hook_resid_mid (or resid_pre) and the MLP. */
  readonly inputHook: string;
  readonly dIn: number;
  readonly dSae: number;
  /** [dSae, dIn] encoder rows (feature-major). */
  readonly wEnc: Float32Array;
  readonly bEnc: Float32Array;
  /** [dSae, dModel] decoder rows. */
  readonly wDec: Float32Array;
  readonly bDec: Float32Array;
  /** The activation of one position's pre-activations [dSae] (ReLU, JumpReLU, TopK …). */
  activate(pre: Float32Array): Float32Array;
}

export interface ActiveFeature {
  readonly layer: number;
  readonly pos: number;
  readonly feature: number;
  readonly activation: number;
  readonly preActivation: number;
}

export interface ReplacementLayer {
  readonly layer: number;
  readonly transcoder: GraphTranscoder | null;
  /** [pos, dModel] true MLP output − transcoder output (the whole MLP output without a transcoder). */
  readonly error: Float32Array;
}

/** The hooks a transcoder may read: the MLP's input stream or its normalised form. */
export function transcoderInputHooks(layer: number): readonly string[] {
  return [hook.lnNormalized(layer, 2), hook.residMid(layer)];
}

/** Checks a set of transcoders against the model; returns them by layer (null where absent). */
export function transcodersByLayer(spec: ModelSpec, transcoders: readonly GraphTranscoder[]): (GraphTranscoder | null)[] {
  const byLayer: (GraphTranscoder | null)[] = Array.from({ length: spec.nLayers }, () => null);
  for (const t of transcoders) {
    if (!Number.isInteger(t.layer) || t.layer < 0 || t.layer >= spec.nLayers) {
      throw new Error(`transcoder for layer ${t.layer}: the model has layers 0..${spec.nLayers - 1}`);
    }
    if (byLayer[t.layer]) throw new Error(`two transcoders for layer ${t.layer}`);
    if (!transcoderInputHooks(t.layer).includes(t.inputHook)) {
      throw new Error(`transcoder for layer ${t.layer} reads ${t.inputHook}: expected one of ${transcoderInputHooks(t.layer).join(', ')}`);
    }
    if (spec.parallelResidual && t.inputHook === hook.residMid(t.layer)) {
      throw new Error(`transcoder for layer ${t.layer} reads ${t.inputHook}, which parallel-residual models do not have`);
    }
    const d = spec.dModel;
    const sizes: [string, Float32Array, number][] = [
      ['W_enc', t.wEnc, t.dSae * t.dIn],
      ['b_enc', t.bEnc, t.dSae],
      ['W_dec', t.wDec, t.dSae * d],
      ['b_dec', t.bDec, d],
    ];
    if (t.dIn !== d) throw new Error(`transcoder for layer ${t.layer}: d_in ${t.dIn} ≠ the model's d_model ${d}`);
    for (const [name, data, n] of sizes) {
      if (data.length !== n) throw new Error(`transcoder for layer ${t.layer}: ${name} has ${data.length} values, expected ${n}`);
    }
    byLayer[t.layer] = t;
  }
  return byLayer;
}

/** pre-activations [pos, dSae] of a transcoder on its input x [pos, dIn] (float64 sums). */
export function preActivations(t: GraphTranscoder, x: Float32Array, pos: number): Float32Array {
  const out = new Float32Array(pos * t.dSae);
  for (let p = 0; p < pos; p++) {
    for (let f = 0; f < t.dSae; f++) {
      let s = t.bEnc[f];
      const row = f * t.dIn;
      for (let i = 0; i < t.dIn; i++) s += t.wEnc[row + i] * x[p * t.dIn + i];
      out[p * t.dSae + f] = s;
    }
  }
  return out;
}

/**
 * Active features (activation ≠ 0) and error nodes of every layer, from the prompt's captured
 * transcoder inputs and MLP outputs.
 */
export function replacementLayers(
  byLayer: readonly (GraphTranscoder | null)[],
  inputs: ReadonlyMap<string, Float32Array>,
  mlpOut: readonly Float32Array[],
  pos: number,
  dModel: number,
): { layers: ReplacementLayer[]; features: ActiveFeature[] } {
  const features: ActiveFeature[] = [];
  const layers = byLayer.map((t, layer): ReplacementLayer => {
    const error = Float32Array.from(mlpOut[layer]);
    if (!t) return { layer, transcoder: null, error };
    const x = inputs.get(t.inputHook);
    if (!x) throw new Error(`internal: ${t.inputHook} was not captured`);
    const pre = preActivations(t, x, pos);
    for (let p = 0; p < pos; p++) {
      const preRow = pre.subarray(p * t.dSae, (p + 1) * t.dSae);
      const acts = t.activate(preRow);
      for (let i = 0; i < dModel; i++) error[p * dModel + i] -= t.bDec[i];
      for (let f = 0; f < t.dSae; f++) {
        const a = acts[f];
        if (a === 0) continue;
        if (!Number.isFinite(a)) throw new Error(`transcoder for layer ${layer}: feature ${f} at position ${p} has activation ${a}`);
        features.push({ layer, pos: p, feature: f, activation: a, preActivation: preRow[f] });
        const dec = f * dModel;
        for (let i = 0; i < dModel; i++) error[p * dModel + i] -= a * t.wDec[dec + i];
      }
    }
    return { layer, transcoder: t, error };
  });
  return { layers, features };
}
