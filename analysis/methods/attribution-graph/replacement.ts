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

/** Decoder rows of a transcoder's features into one layer's MLP output: [dSae, dModel]. */
export interface GraphDecoder {
  readonly layer: number;
  readonly rows: Float32Array;
}

/**
 * A transcoder's features as the graph needs them, on the host: pre = W_enc·x + b_enc (x read
 * at `inputHook`, position by position), acts = activate(pre); the output written at
 * blocks.{L}.hook_mlp_out is Σ_f acts_f · decoder row of every decoder of layer L, plus b_dec of
 * layer L (the `bDec` of the transcoder that reads layer L). A per-layer transcoder has one
 * decoder (its own layer); a cross-layer transcoder's features also write every later layer.
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
  /** Where the features write: this layer's MLP output and, for cross-layer transcoders, later ones. */
  readonly decoders: readonly GraphDecoder[];
  /** The decoder bias of this layer's MLP output [dModel]. */
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
      ['b_dec', t.bDec, d],
      ...t.decoders.map((dec): [string, Float32Array, number] => [`W_dec into layer ${dec.layer}`, dec.rows, t.dSae * d]),
    ];
    if (t.dIn !== d) throw new Error(`transcoder for layer ${t.layer}: d_in ${t.dIn} ≠ the model's d_model ${d}`);
    for (const [name, data, n] of sizes) {
      if (data.length !== n) throw new Error(`transcoder for layer ${t.layer}: ${name} has ${data.length} values, expected ${n}`);
    }
    for (const dec of t.decoders) {
      if (!Number.isInteger(dec.layer) || dec.layer < t.layer || dec.layer >= spec.nLayers) {
        throw new Error(`transcoder for layer ${t.layer}: a decoder writes layer ${dec.layer}; expected layers ${t.layer}..${spec.nLayers - 1}`);
      }
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
 * transcoder inputs and MLP outputs: error = MLP output − b_dec − Σ features' decoder rows into
 * that layer (float64 sums).
 */
export function replacementLayers(
  byLayer: readonly (GraphTranscoder | null)[],
  inputs: ReadonlyMap<string, Float32Array>,
  mlpOut: readonly Float32Array[],
  pos: number,
  dModel: number,
): { layers: ReplacementLayer[]; features: ActiveFeature[] } {
  const features: ActiveFeature[] = [];
  const errors = mlpOut.map((out, layer) => {
    const e = Float64Array.from(out);
    const t = byLayer[layer];
    if (t) for (let p = 0; p < pos; p++) for (let i = 0; i < dModel; i++) e[p * dModel + i] -= t.bDec[i];
    return e;
  });
  byLayer.forEach((t, layer) => {
    if (!t) return;
    const x = inputs.get(t.inputHook);
    if (!x) throw new Error(`internal: ${t.inputHook} was not captured`);
    const pre = preActivations(t, x, pos);
    for (let p = 0; p < pos; p++) {
      const preRow = pre.subarray(p * t.dSae, (p + 1) * t.dSae);
      const acts = t.activate(preRow);
      for (let f = 0; f < t.dSae; f++) {
        const a = acts[f];
        if (a === 0) continue;
        if (!Number.isFinite(a)) throw new Error(`transcoder for layer ${layer}: feature ${f} at position ${p} has activation ${a}`);
        features.push({ layer, pos: p, feature: f, activation: a, preActivation: preRow[f] });
        for (const dec of t.decoders) {
          const e = errors[dec.layer];
          for (let i = 0; i < dModel; i++) e[p * dModel + i] -= a * dec.rows[f * dModel + i];
        }
      }
    }
  });
  return { layers: byLayer.map((transcoder, layer) => ({ layer, transcoder, error: Float32Array.from(errors[layer]) })), features };
}
