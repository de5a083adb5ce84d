/**
 * The frozen final-norm readout of a logit metric: with ln_final's scale s frozen at one
 * position, the map "final residual → metric" is affine, so any additive piece c of the residual
 * contributes `c · w` with one direction w [dModel]. Shared by DLA and by head ablation's direct
 * effects.
 *
 *   metric = logit[answer] − logit[wrong]   (or logit[answer] alone), u = W_U[answer] − W_U[wrong]
 *   LayerNorm, centred:   w = centre(γ ⊙ u) / s  — equal to applying the norm's linear part
 *                         (c − mean(c)) / s ⊙ γ to each component, so the pieces sum exactly
 *   LayerNorm, uncentred: w = (γ ⊙ u) / s, plus one extra term −mean(resid)/s · Σ γ ⊙ u
 *   RMSNorm:              w = (γ ⊙ u) / s  (no centring exists)
 *   constant terms: β · u (LayerNorm bias) and b_U[answer] − b_U[wrong].
 */
import type { Model } from '../model/model.ts';
import { hostWeight, hostWeightOrZeros, unembedRows } from './host-weights.ts';

/** metric = logit[answer] − logit[wrong] (or logit[answer] when `wrong` is absent). */
export interface LogitTarget {
  readonly answer: number;
  readonly wrong?: number;
}

export interface FrozenReadout {
  /** [dModel] w: metric contribution of a residual component c is c · w. */
  readonly direction: Float64Array;
  /** The frozen ln_final scale s at the position. */
  readonly scale: number;
  /** Whether w includes LayerNorm's centring. */
  readonly centred: boolean;
  /** β · u, the final LayerNorm bias's term (0 for RMSNorm). */
  readonly normBias: number;
  /** Σ_i γ_i u_i / s: multiplied by −mean(resid), the uncentred mode's mean term. */
  readonly meanCoefficient: number;
  /** b_U[answer] − b_U[wrong] (0 without an unembedding bias). */
  readonly unembedBias: number;
}

export function metricOf(logits: ArrayLike<number>, target: LogitTarget): number {
  return logits[target.answer] - (target.wrong === undefined ? 0 : logits[target.wrong]);
}

/** The readout direction at a position whose frozen ln_final scale is `scale`. */
export async function frozenReadout(model: Model, target: LogitTarget, scale: number, centre: boolean): Promise<FrozenReadout> {
  const { dModel: d, normalization } = model.spec;
  const { lnFinal, bUnembed } = model.weights;
  const ids = target.wrong === undefined ? [target.answer] : [target.answer, target.wrong];
  const rows = await unembedRows(model, ids);
  const u = Float64Array.from(rows[0], (v, i) => v - (rows.length > 1 ? rows[1][i] : 0));
  const gamma = await hostWeight(model, lnFinal.w);
  const beta = await hostWeightOrZeros(model, normalization === 'layernorm' ? lnFinal.b : undefined, d);
  const gu = Float64Array.from(u, (v, i) => v * gamma[i]);
  const centred = centre && normalization === 'layernorm';
  const mean = centred ? gu.reduce((a, v) => a + v, 0) / d : 0;
  let unembedBias = 0;
  if (bUnembed) {
    const bias = await hostWeight(model, bUnembed);
    unembedBias = metricOf(bias, target);
  }
  return {
    direction: gu.map((v) => (v - mean) / scale),
    scale,
    centred,
    normBias: dot(beta, u),
    meanCoefficient: gu.reduce((a, v) => a + v, 0) / scale,
    unembedBias,
  };
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * (W_Oᵀ w) for one layer, [head·dHead]: head h's contribution is Σ_k z[h, k] · out[h·dHead + k],
 * because head h writes z_h W_O^h (W_O^h = columns h·dHead…(h+1)·dHead−1 of W_O [dModel, head·dHead]).
 */
export async function headWriteProjections(model: Model, layer: number, direction: Float64Array): Promise<Float64Array> {
  const wO = await hostWeight(model, model.weights.blocks[layer].attn.wO);
  return transposeTimes(wO, direction, model.spec.nHeads * model.spec.dHead);
}

/** (W_outᵀ w) for one layer, [neuron]: neuron j writes post_j · W_out[:, j]. */
export async function neuronWriteProjections(model: Model, layer: number, direction: Float64Array): Promise<Float64Array> {
  const wOut = await hostWeight(model, model.weights.blocks[layer].mlp.wOut);
  return transposeTimes(wOut, direction, model.spec.dMlp);
}

/** Mᵀ w for a row-major M [w.length, cols]. */
function transposeTimes(m: Float32Array, w: Float64Array, cols: number): Float64Array {
  const out = new Float64Array(cols);
  for (let i = 0; i < w.length; i++) {
    const wi = w[i];
    for (let c = 0; c < cols; c++) out[c] += m[i * cols + c] * wi;
  }
  return out;
}
