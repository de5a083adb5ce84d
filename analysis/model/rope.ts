/**
 * Rotary frequencies of a layer, with transformers' RoPE scaling applied to the default
 * inverse frequencies f_j = theta^(−2j/rotaryDims) (computed in float64, rounded to f32 once):
 * - linear: f / factor;
 * - llama3 (`_compute_llama3_parameters`): wavelength λ = 2π/f, L0 = original context:
 *   λ < L0/high_freq_factor → f; λ > L0/low_freq_factor → f/factor; otherwise
 *   (1 − s)·f/factor + s·f with s = (L0/λ − low_freq_factor)/(high_freq_factor − low_freq_factor);
 * - longrope (`_compute_longrope_parameters` with transformers' `dynamic_rope_update`):
 *   f / ext_j with ext = long_factor when the call's sequence length (its largest position + 1)
 *   exceeds original_max_position_embeddings, short_factor otherwise; cos and sin multiplied by
 *   the attention factor either way. The length is the call's, as in transformers: a KV-cached
 *   step past the threshold rotates its own q/k with the long factors while the cached keys keep
 *   the rotation they were stored with, so cached generation across the threshold differs from a
 *   full re-run exactly as it does in transformers.
 */
import type { RopeFrequencies } from '../../gpu/backend.ts';
import type { LayerAttention, RopeScaling } from './spec.ts';

/** `seqLen`: the call's largest position + 1 (only longrope depends on it). */
export function scaledInverseFrequencies(theta: number, rotaryDims: number, scaling: RopeScaling, seqLen: number): RopeFrequencies {
  const half = rotaryDims / 2;
  const invFreq = new Float32Array(half);
  for (let j = 0; j < half; j++) {
    const f = 1 / Math.pow(theta, (2 * j) / rotaryDims);
    invFreq[j] = scaledFrequency(f, j, scaling, seqLen);
  }
  return { invFreq, amplitude: scaling.type === 'longrope' ? scaling.attentionFactor : 1 };
}

function scaledFrequency(f: number, j: number, s: RopeScaling, seqLen: number): number {
  switch (s.type) {
    case 'linear':
      return f / s.factor;
    case 'longrope':
      return f / (seqLen > s.originalMaxPositions ? s.longFactors : s.shortFactors)[j];
    case 'llama3': {
      const wavelength = (2 * Math.PI) / f;
      const lowWavelength = s.originalMaxPositions / s.lowFreqFactor;
      const highWavelength = s.originalMaxPositions / s.highFreqFactor;
      if (wavelength < highWavelength) return f;
      if (wavelength > lowWavelength) return f / s.factor;
      const smooth = (s.originalMaxPositions / wavelength - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
      return ((1 - smooth) * f) / s.factor + smooth * f;
    }
  }
}

/** What a layer passes to `Backend.rope`: its theta and, when scaled, explicit frequencies. */
export interface LayerRope {
  readonly theta: number;
  readonly freqs?: RopeFrequencies;
}

/** `positions`: the call's positions (their maximum + 1 is the sequence length longrope reads). */
export function layerRope(attn: LayerAttention, rotaryDims: number, positions: Int32Array): LayerRope {
  if (attn.ropeScaling === null) return { theta: attn.ropeTheta };
  let last = 0;
  for (const p of positions) last = Math.max(last, p);
  return { theta: attn.ropeTheta, freqs: scaledInverseFrequencies(attn.ropeTheta, rotaryDims, attn.ropeScaling, last + 1) };
}
