/**
 * LM-head decoding of neurons and residual-space directions (METHODS.md "LM-head decoding of
 * neurons and directions"): a direction v [dModel] is read as `W_U v` [vocab] — which tokens
 * writing v into the final residual would promote (top) and suppress (bottom); optionally with
 * the final norm's gain applied first (`W_U (γ ⊙ v)`), which is what the head actually sees up to
 * the norm's scale. b_U is not added: a direction has no offset.
 *
 * Neuron j of layer l has an input direction (row j of W_in / W_up, and of W_gate when gated: what
 * the neuron reads) and an output direction (column j of W_out / W_down: what it writes).
 * Clamping a neuron is a `replace`/`add` intervention on blocks.l.mlp.hook_post[..., j].
 */
import type { Intervention } from '../hooks/interventions.ts';
import { hook } from '../hooks/points.ts';
import type { Model } from '../model/model.ts';
import type { ModelSpec } from '../model/spec.ts';
import { tensorScope } from '../model/scope.ts';
import { extremeIds, tokenText } from './token-scores.ts';
import type { Tensor } from '../../gpu/backend.ts';

export interface DecodeDirectionOptions {
  /** Tokens reported at each end (default 10). */
  readonly topK?: number;
  /** Multiply by the final norm's gain γ before W_U (default false). */
  readonly applyNormGain?: boolean;
}

export interface DirectionToken {
  readonly id: number;
  readonly token: string | null;
  /** (W_U v)[id]. */
  readonly value: number;
}

export interface DecodedDirection {
  /** [dModel] the direction decoded (before the optional gain). */
  readonly vector: Float32Array;
  /** [vocab] W_U v, or W_U (γ ⊙ v) with applyNormGain. */
  readonly logits: Float32Array;
  /** [topK] highest values, highest first. */
  readonly top: DirectionToken[];
  /** [topK] lowest values, lowest first. */
  readonly bottom: DirectionToken[];
}

export interface NeuronOptions extends DecodeDirectionOptions {
  readonly layer: number;
  readonly neuron: number;
}

export interface NeuronDirections {
  readonly layer: number;
  readonly neuron: number;
  /** Row j of W_in (the up projection for gated MLPs). */
  readonly input: DecodedDirection;
  /** Row j of W_gate for gated MLPs; null otherwise. */
  readonly gate: DecodedDirection | null;
  /** Column j of W_out (W_down). */
  readonly output: DecodedDirection;
}

/** Decodes directions already on the backend, rows of `directions` [n, dModel]. */
async function decodeRows(model: Model, directions: Tensor, options: DecodeDirectionOptions): Promise<DecodedDirection[]> {
  const { dModel: d, dVocab: V } = model.spec;
  const k = options.topK ?? 10;
  const scope = tensorScope(model.backend);
  const b = scope.backend;
  try {
    const read = options.applyNormGain ? b.mul(directions, model.weights.lnFinal.w) : directions;
    const [vectors, logits] = await model.backend.read([directions, b.linear(read, model.weights.unembed)]);
    const n = directions.shape[0];
    return Array.from({ length: n }, (_, i) => {
      const row = logits.slice(i * V, (i + 1) * V);
      const token = (id: number): DirectionToken => ({ id, token: tokenText(model, id), value: row[id] });
      return {
        vector: vectors.slice(i * d, (i + 1) * d),
        logits: row,
        top: extremeIds(row, k, 'top').map(token),
        bottom: extremeIds(row, k, 'bottom').map(token),
      };
    });
  } finally {
    scope.release();
  }
}

/** `W_U v` for any residual-space vector v [dModel] (a probe weight, a feature, a steering vector). */
export async function decodeDirection(model: Model, vector: ArrayLike<number>, options: DecodeDirectionOptions = {}): Promise<DecodedDirection> {
  const d = model.spec.dModel;
  if (vector.length !== d) throw new Error(`decodeDirection: the vector has ${vector.length} entries, the residual stream has dModel = ${d}`);
  const scope = tensorScope(model.backend);
  try {
    const [decoded] = await decodeRows(model, scope.backend.upload(Float32Array.from(vector), [1, d]), options);
    return decoded;
  } finally {
    scope.release();
  }
}

function checkNeuron(spec: ModelSpec, layer: number, neuron: number): void {
  if (!Number.isInteger(layer) || layer < 0 || layer >= spec.nLayers) throw new Error(`layer ${layer} is outside [0, ${spec.nLayers})`);
  if (!Number.isInteger(neuron) || neuron < 0 || neuron >= spec.dMlp) {
    throw new Error(`neuron ${neuron} is outside layer ${layer}'s MLP [0, ${spec.dMlp})`);
  }
}

/** Input (and gate) and output directions of one MLP neuron, decoded through the LM head. */
export async function decodeNeuron(model: Model, options: NeuronOptions): Promise<NeuronDirections> {
  const { layer, neuron } = options;
  checkNeuron(model.spec, layer, neuron);
  const mlp = model.weights.blocks[layer].mlp;
  const scope = tensorScope(model.backend);
  const b = scope.backend;
  try {
    const pick = Int32Array.of(neuron);
    // Rows of [neuron, dModel] weights by gather; the column of W_out [dModel, neuron] as e_jᵀ W_outᵀ.
    const oneHot = new Float32Array(model.spec.dMlp);
    oneHot[neuron] = 1;
    const rows = [b.gather(mlp.wIn, pick), ...(mlp.wGate ? [b.gather(mlp.wGate, pick)] : []), b.linear(b.upload(oneHot, [1, oneHot.length]), mlp.wOut)];
    const decoded = await decodeRows(model, b.concat(rows, 0), options);
    return {
      layer,
      neuron,
      input: decoded[0],
      gate: mlp.wGate ? decoded[1] : null,
      output: decoded[decoded.length - 1],
    };
  } finally {
    scope.release();
  }
}

export interface ClampNeuronOptions {
  readonly layer: number;
  readonly neuron: number;
  /** 'replace' sets the activation to `value`; 'add' adds `value` to it. */
  readonly mode: 'replace' | 'add';
  readonly value: number;
  /** Positions to clamp (absolute); all positions when omitted. */
  readonly pos?: number | readonly number[];
}

/**
 * The interventions that clamp neuron j of a layer on blocks.l.mlp.hook_post[..., j]. 'replace'
 * is a zero followed by an add (interventions on one hook apply in order), since the declarative
 * ops have no "set to constant".
 */
export function clampNeuron(spec: ModelSpec, options: ClampNeuronOptions): Intervention[] {
  const { layer, neuron, mode, value } = options;
  checkNeuron(spec, layer, neuron);
  if (!Number.isFinite(value)) throw new Error(`clampNeuron: value ${value} is not a finite number`);
  const target = { hook: hook.mlpPost(layer), neuron, ...(options.pos === undefined ? {} : { pos: typeof options.pos === 'number' ? options.pos : [...options.pos] }) };
  const vector = new Array<number>(spec.dMlp).fill(0);
  vector[neuron] = value;
  const add: Intervention = { ...target, op: 'add', vector };
  return mode === 'replace' ? [{ ...target, op: 'zero' }, add] : [add];
}
