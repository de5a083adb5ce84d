/**
 * Rotary frequencies of a layer, with transformers' RoPE scaling applied to the default
 * inverse frequencies f_j = theta^(−2j/rotaryDims) (computed in float64, rounded to f32 once):
 * - linear: f / factor;
 * - llama3 (`_compute_llama3_parameters`): wavelength λ = 2π/f, L0 = original context:
 *   λ < L0/high_freq_factor → f; λ > L0/low_freq_factor → f/factor; otherwise
 *   (1 − s)·f/factor + s·f with s = (L0/λ − low_freq_factor)/(high_freq_factor − low_freq_factor);
 * - longrope (short factors, within the original context): f / short_factor_j, and cos and sin
 *   multiplied by the attention factor.
 */
import type { RopeFrequencies } from '../../gpu/backend.ts';
import type { LayerAttention, RopeScaling } from './spec.ts';

export function scaledInverseFrequencies(theta: number, rotaryDims: number, scaling: RopeScaling): RopeFrequencies {
  const half = rotaryDims / 2;
  const invFreq = new Float32Array(half);
  for (let j = 0; j < half; j++) {
    const f = 1 / Math.pow(theta, (2 * j) / rotaryDims);
    invFreq[j] = scaledFrequency(f, j, scaling);
  }
  return { invFreq, amplitude: scaling.type === 'longrope' ? scaling.attentionFactor : 1 };
}

function scaledFrequency(f: number, j: number, s: RopeScaling): number {
  switch (s.type) {
    case 'linear':
      return f / s.factor;
    case 'longrope':
      return f / s.factors[j];
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

export function layerRope(attn: LayerAttention, rotaryDims: number): LayerRope {
  return attn.ropeScaling === null
    ? { theta: attn.ropeTheta }
    : { theta: attn.ropeTheta, freqs: scaledInverseFrequencies(attn.ropeTheta, rotaryDims, attn.ropeScaling) };
}
