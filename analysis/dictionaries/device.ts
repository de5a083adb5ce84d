/**
 * A dictionary on a backend, and its encode / decode as backend ops (no read-back), so it runs
 * inside a forward pass on the CPU and on WebGPU alike.
 *
 *   sae_in     = norm_in(x) − b_dec·apply_b_dec_to_input
 *   hidden_pre = sae_in · W_encᵀ + b_enc                  (encoder stored [d_sae, d_in])
 *   relu:      acts = relu(hidden_pre)
 *   topk:      acts = relu(the k largest hidden_pre of each position, others 0)
 *   jumprelu:  acts = relu(hidden_pre) · [hidden_pre > threshold]
 *   gated:     acts = relu(hidden_pre) · [sae_in · W_gateᵀ + b_gate > 0]  (hidden_pre: the magnitude path)
 *   recons     = norm_out(acts · W_dec + b_dec) (+ skip·x)
 *
 * JumpReLU's mask is `select(relu(hidden_pre − threshold), …)`: non-zero exactly where
 * hidden_pre > threshold (strict, as SAELens and circuit-tracer compare).
 */
import type { Backend, Tensor } from '../../gpu/backend.ts';
import type { DictionaryConfig, DictionaryWeights, HostDictionary } from './dictionary.ts';

export interface Dictionary {
  readonly config: DictionaryConfig;
  readonly backend: Backend;
  readonly weights: DictionaryWeights<Tensor>;
}

export function dictionaryOnBackend(host: HostDictionary, backend: Backend): Dictionary {
  const w = host.weights;
  const up = backend.uploadWeight.bind(backend);
  return {
    config: host.config,
    backend,
    weights: {
      encoder: up(w.encoder),
      bEnc: up(w.bEnc),
      decoder: up(w.decoder),
      bDec: up(w.bDec),
      threshold: w.threshold && up(w.threshold),
      skip: w.skip && up(w.skip),
      gate: w.gate ? { encoder: up(w.gate.encoder), bias: up(w.gate.bias) } : null,
    },
  };
}

export function disposeDictionary(dict: Dictionary): void {
  const { gate, ...rest } = dict.weights;
  for (const t of [...Object.values(rest), gate?.encoder, gate?.bias]) if (t) dict.backend.dispose(t);
}

/** What `normalization` removed from the input, to put back on the output. */
export interface NormState {
  /** Multiplies the output (constant_norm_rescale: ‖x‖/√d; layer_norm: std). */
  readonly scale: Tensor | null;
  /** Added to the output after scaling (layer_norm: the mean). */
  readonly shift: Tensor | null;
}

const NO_NORM: NormState = { scale: null, shift: null };
const LAYER_NORM_EPS = 1e-5;

/** x [.., d_in] → (normalised x, what to undo). */
export function normalizeIn(b: Backend, config: DictionaryConfig, x: Tensor): { x: Tensor; state: NormState } {
  switch (config.normalization) {
    case 'none':
      return { x, state: NO_NORM };
    case 'constant_norm_rescale': {
      // √(mean x²) = ‖x‖/√d: dividing by it is SAELens's x·√d/‖x‖.
      const s = b.normScale(x, false, 0);
      return { x: b.normalize(x, s, false), state: { scale: s, shift: null } };
    }
    case 'layer_norm': {
      // SAELens: (x − μ) / (std + 1e-5) with torch's unbiased std; the output is y·std + μ.
      const d = x.shape[x.shape.length - 1];
      const mu = b.mean(x, x.shape.length - 1);
      const std = b.scale(b.normScale(x, true, 0), Math.sqrt(d / (d - 1)));
      const denom = b.add(std, b.fill(std.shape, LAYER_NORM_EPS));
      return { x: b.div(b.sub(x, mu), denom), state: { scale: std, shift: mu } };
    }
  }
}

function normalizeOut(b: Backend, y: Tensor, state: NormState): Tensor {
  let out = y;
  if (state.scale) out = b.mul(out, state.scale);
  if (state.shift) out = b.add(out, state.shift);
  return out;
}

export interface Encoded {
  /** The input as the encoder sees it (after normalisation and b_dec subtraction). */
  readonly saeIn: Tensor;
  readonly hiddenPre: Tensor;
  readonly acts: Tensor;
  readonly norm: NormState;
}

/** Pre-activations → feature activations, by the dictionary's activation function (`saeIn` for the gate of gated SAEs). */
export function activate(b: Backend, dict: Dictionary, hiddenPre: Tensor, saeIn: Tensor): Tensor {
  const { config, weights } = dict;
  switch (config.activation) {
    case 'gated': {
      const gate = weights.gate!;
      const open = b.unary(b.linear(saeIn, gate.encoder, gate.bias), 'relu');
      return b.select(open, b.unary(hiddenPre, 'relu'), b.fill(hiddenPre.shape, 0));
    }
    case 'relu':
      return b.unary(hiddenPre, 'relu');
    case 'topk':
      return b.unary(b.keepTopK(hiddenPre, config.k!), 'relu');
    case 'jumprelu': {
      const above = b.unary(b.sub(hiddenPre, weights.threshold!), 'relu');
      return b.select(above, b.unary(hiddenPre, 'relu'), b.fill(hiddenPre.shape, 0));
    }
  }
}

/** x [.., d_in] (the activation at the input hook, already flattened) → encoder stages. */
export function encode(b: Backend, dict: Dictionary, x: Tensor): Omit<Encoded, 'acts'> {
  const { config, weights } = dict;
  const { x: normed, state } = normalizeIn(b, config, x);
  const saeIn = config.applyBDecToInput ? b.sub(normed, weights.bDec) : normed;
  return { saeIn, hiddenPre: b.linear(saeIn, weights.encoder, weights.bEnc), norm: state };
}

/** acts [.., d_sae] → reconstruction [.., d_out]; `x` is the raw input (for a skip connection). */
export function decode(b: Backend, dict: Dictionary, acts: Tensor, x: Tensor, norm: NormState): Tensor {
  const { weights } = dict;
  let out = normalizeOut(b, b.add(b.linearTransposed(acts, weights.decoder), weights.bDec), norm);
  if (weights.skip) out = b.add(out, b.linear(x, weights.skip));
  return out;
}
