/**
 * The backward pass through a spliced dictionary (analysis/dictionaries/splice.ts). Forward, at
 * the output hook, with x the input activation and t the model's own activation there:
 *
 *   h = x·W_encᵀ + b_enc (x − b_dec first with apply_b_dec_to_input)     hook_sae_acts_pre
 *   a = act(h)                 ReLU, TopK, JumpReLU, gated                 (un-edited)
 *   a' = edits(a)              ablate / scale / clamp by feature           hook_sae_acts_post
 *   r = a'·W_dec + b_dec (+ skip·x)                                        hook_sae_recons
 *   e = t − (a·W_dec + b_dec (+ skip·x))       with the error term         hook_sae_error
 *   y = r + e (+ steering, a constant)                                    hook_sae_output
 *
 * Each stage is a node, as in sparse feature circuits: the gradient recorded at hook_sae_acts_post
 * is ∂M/∂a' with the error term held fixed (= W_dec · g, the decoder rows against the upstream
 * gradient), at hook_sae_error it is g. Upstream the pass follows the real dependence on x and t:
 * through the decoder, the edits, the activation's mask (a feature passes gradient where it is
 * on: ReLU and TopK's kept entries, JumpReLU above its threshold, gated where the gate is open;
 * the thresholds' jumps have zero derivative almost everywhere) and the encoder, and through
 * the error term's own dependence on t and a. Without edits the two paths through a cancel, so
 * with the error term every gradient upstream of the splice is the un-spliced model's.
 *
 * SAELens's `normalize_activations` other than none, and one-head dictionaries of per-head
 * hooks, are refused by name (their Jacobians are not written here).
 */
import type { Backend, Tensor } from '../../gpu/backend.ts';
import { dictionaryHook } from '../dictionaries/dictionary.ts';
import type { Dictionary } from '../dictionaries/device.ts';
import { activate } from '../dictionaries/device.ts';
import type { DictionaryUse } from '../dictionaries/splice.ts';

/** What the splice's backward needs from the pass it runs in. */
export interface SpliceBackwardContext {
  readonly backend: Backend;
  /** Records g at a stage hook (if asked) and pulls it back through that hook's interventions. */
  at(name: string, g: Tensor): Tensor;
  /** A stage's recorded forward value (after its interventions). */
  value(name: string): Tensor;
}

export interface SpliceGradients {
  /** ∂M/∂(the model's activation at the output hook, before the splice). */
  readonly target: Tensor;
  /**
   * ∂M/∂(the activation the dictionary read at its input hook) in that hook's shape — for an SAE
   * already included in `target`; for a transcoder to be added where the pass reaches the input hook.
   */
  readonly input: Tensor | null;
}

/** Refuses dictionaries whose backward is not written, naming what is missing. */
export function checkDifferentiable(dict: Dictionary): void {
  const { label, normalization, headIndex } = dict.config;
  if (normalization !== 'none') throw new Error(`gradients through dictionary ${label}: normalize_activations "${normalization}" is not differentiated (only "none")`);
  if (headIndex !== null) throw new Error(`gradients through dictionary ${label}: one-head dictionaries (hook_head_index ${headIndex}) are not differentiated`);
}

/** g in the hook's shape → the dictionary's [batch, pos, width] layout (per-head hooks flattened). */
function flat(b: Backend, g: Tensor): Tensor {
  return g.shape.length === 4 ? b.reshape(g, [g.shape[0], g.shape[1], g.shape[2] * g.shape[3]]) : g;
}

/** Pulls the feature edits back: ablate and clamp pass nothing on their selection, scale passes factor·g. */
function editsVjp(b: Backend, use: DictionaryUse, g: Tensor, mask: (sel: { neuron: number | number[]; pos?: number | number[] }) => Tensor | null): Tensor {
  let out = g;
  const edits = use.features ?? [];
  for (let i = edits.length - 1; i >= 0; i--) {
    const e = edits[i];
    const inside = e.op === 'scale' ? b.scale(out, e.value!) : b.fill(out.shape, 0);
    const m = mask({ neuron: e.feature, pos: e.pos });
    out = m ? b.select(m, inside, out) : inside;
  }
  return out;
}

/**
 * g = ∂M/∂(the spliced output at hookOut) → gradients at the splice's input and target. `mask`
 * builds a feature edit's selection mask at hook_sae_acts_post (null: everything).
 */
export function spliceVjp(
  ctx: SpliceBackwardContext,
  use: DictionaryUse,
  g: Tensor,
  targetShape: readonly number[],
  inputShape: readonly number[],
  mask: (sel: { neuron: number | number[]; pos?: number | number[] }) => Tensor | null,
): SpliceGradients {
  const b = ctx.backend;
  const dict = use.dictionary;
  checkDifferentiable(dict);
  if (use.splice === false) return { target: g, input: null };
  const { hookIn, hookOut } = dict.config;
  const { decoder, encoder, skip } = dict.weights;
  const name = (stage: keyof typeof dictionaryHook) => dictionaryHook[stage](hookOut);

  const gOut = ctx.at(name('output'), flat(b, g));
  const gRecons = ctx.at(name('recons'), gOut);
  const gError = use.errorTerm === true ? ctx.at(name('error'), gOut) : null;
  // ∂/∂a' of a'·W_dec: each feature's decoder row against the gradient.
  let gActs = editsVjp(b, use, ctx.at(name('actsPost'), b.linear(gRecons, decoder)), mask);
  let gX = skip ? b.linearTransposed(gRecons, skip) : null;
  if (gError) {
    gActs = b.sub(gActs, b.linear(gError, decoder));
    if (skip) gX = b.sub(gX!, b.linearTransposed(gError, skip));
  }
  // The activation passes gradient where a feature is on (its un-edited value, from the recorded pre-activations).
  const hiddenPre = ctx.value(name('actsPre'));
  const on = activate(b, dict, hiddenPre, saeInput(b, dict, ctx.value(name('input'))));
  const gHidden = ctx.at(name('actsPre'), b.select(on, gActs, b.fill(gActs.shape, 0)));
  const fromEncoder = b.linearTransposed(gHidden, encoder);
  const gInput = ctx.at(name('input'), gX ? b.add(fromEncoder, gX) : fromEncoder);
  const input = b.reshape(gInput, inputShape);
  const fromError = gError ? b.reshape(gError, targetShape) : b.fill(targetShape, 0);
  if (hookIn === hookOut) return { target: b.add(fromError, input), input: null };
  return { target: fromError, input };
}

/** The encoder's input as the forward computed it (the gate of gated SAEs reads it). */
function saeInput(b: Backend, dict: Dictionary, x: Tensor): Tensor {
  return dict.config.applyBDecToInput ? b.sub(x, dict.weights.bDec) : x;
}
