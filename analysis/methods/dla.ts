/**
 * Direct logit attribution (METHODS.md "Direct logit attribution"; fixtures README (d)).
 *
 * Freeze the final norm's scale s at the position of interest. The final residual there is a sum
 * of components — `embed` (hook_embed), `pos_embed` (hook_pos_embed, learned positions only),
 * every head's output `L{l}H{h}` = z_h W_O^h, every layer's `L{l}.attn_bias` (b_O, 0 when absent)
 * and `L{l}.mlp` (hook_mlp_out, b_out included) — and each maps to the metric through the frozen
 * readout (see readout.ts): contribution(c) = (c − mean(c)·[LayerNorm]) / s · (γ ⊙ u), with
 * u = W_U[:, answer] − W_U[:, wrong] (or one column). The constant `ln_final.bias` = β · u.
 * Identity: Σ components = metric − (b_U[answer] − b_U[wrong]) (`total` + `unembedBias` = `metric`).
 *
 * Uncentred mode (LayerNorm only): no mean subtraction per component, plus the component
 * `ln_final.mean_term` = −mean(resid_final)/s · Σ γ ⊙ u; the identity still holds.
 *
 * Splits by linearity: `neurons[l][j]` = hook_post[pos, j] · (W_out[:, j] · w), which with
 * `mlpBias[l]` = b_out · w sums to L{l}.mlp; `sources[l][h][j]` = pattern[h, pos, j] · (v_j W_O^h · w),
 * summing over source positions j to L{l}H{h} (z = Σ_j pattern · v, pattern rows sum to 1).
 * Heads are computed from hook_z and W_O (the same z_h W_O^h as hook_result, without reading back
 * [pos, head, dModel] per layer).
 *
 * Post-sublayer norms (Gemma, OLMo-2; fixtures README "Methods on the newer-family fixtures"):
 * components are residual writes, so each head's z_h W_O^h (and b_O) passes through ln1_post
 * frozen at its scale at pos (/ s · w); hook_mlp_out is already after ln2_post (per-neuron splits
 * go through ln2_post the same way). With Gemma-2's final softcap the components sum to the
 * metric before the cap (`metricBeforeSoftcap`).
 *
 * Dictionaries attached to the model (analysis/dictionaries/attach.ts) whose output is a residual-
 * width activation are split into their features through the same readout (`dictionaries`):
 * feature f contributes acts[f] · (W_dec[f] · w), and features + b_dec + error sum to the hook's
 * own readout — for hook_mlp_out exactly the L{l}.mlp component, for the last hook_resid_post the
 * total. A dictionary spliced without its error term changes the model and DLA describes that
 * model — except where the splice replaces the residual stream itself or hook_attn_out: the
 * components read upstream of it (heads from hook_z, earlier writes) then no longer sum to what
 * the model reads, so DLA refuses, naming the hook.
 */
import type { FeatureSplit } from '../dictionaries/feature-attribution.ts';
import { featureSplit, featureSplitHooks, splitsResidual } from '../dictionaries/feature-attribution.ts';
import type { DictionaryUse } from '../dictionaries/splice.ts';
import { hook } from '../hooks/points.ts';
import type { Model } from '../model/model.ts';
import type { ModelInput } from '../model/run.ts';
import { run } from '../model/run.ts';
import { hostWeight, hostWeightOrZeros } from './host-weights.ts';
import type { FrozenReadout, LogitTarget } from './readout.ts';
import { dot, frozenReadout, headWriteProjections, metricOf, neuronWriteProjections } from './readout.ts';
import { oneSequence, resolvePosition, rowAt } from './sequence.ts';
import { extremeIds } from './token-scores.ts';

export interface DlaOptions {
  /** Token whose logit is attributed; default the clean run's argmax at `pos`. */
  readonly answer?: number;
  /** When given, the metric is logit[answer] − logit[wrong]. */
  readonly wrong?: number;
  /** Position (negative from the end; default −1, the last). */
  readonly pos?: number;
  /** LayerNorm models: centre each component (default true). Ignored for RMSNorm. */
  readonly centred?: boolean;
  /** Also split each MLP into its neurons. */
  readonly perNeuron?: boolean;
  /** Also split each head by source position. */
  readonly perSource?: boolean;
  readonly prependBos?: boolean;
}

export interface DlaComponent {
  /** embed | pos_embed | L{l}H{h} | L{l}.attn_bias | L{l}.mlp | ln_final.bias | ln_final.mean_term */
  readonly name: string;
  readonly value: number;
}

export interface DlaResult {
  readonly ids: number[];
  readonly pos: number;
  readonly answer: number;
  readonly wrong: number | null;
  /** logit[answer] − logit[wrong] of the clean run at pos. */
  readonly metric: number;
  /**
   * With a final logit softcap c (Gemma-2): the metric of the logits before the cap,
   * c·atanh(logit/c), which the components sum to; null without a cap.
   */
  readonly metricBeforeSoftcap: number | null;
  /** Σ components (= metric − unembedBias up to float error). */
  readonly total: number;
  /** b_U[answer] − b_U[wrong]. */
  readonly unembedBias: number;
  /** Frozen ln_final.hook_scale at pos. */
  readonly scale: number;
  /** Whether components were centred (LayerNorm, centred mode). */
  readonly centred: boolean;
  /** In the order: embed, pos_embed, per layer (heads, attn_bias, mlp), ln_final terms. */
  readonly components: DlaComponent[];
  /** [layer][head] the L{l}H{h} components. */
  readonly heads: number[][];
  /** [layer] L{l}.attn_bias. */
  readonly attnBias: number[];
  /** [layer] L{l}.mlp. */
  readonly mlp: number[];
  /** [layer][neuron] per-neuron split (perNeuron only). */
  readonly neurons: number[][] | null;
  /** [layer] b_out's share of L{l}.mlp (perNeuron only). */
  readonly mlpBias: number[] | null;
  /** [layer][head][source pos] per-source split of each head (perSource only). */
  readonly sources: number[][][] | null;
  /** The attached, spliced dictionaries with a residual-width output, split into features (forward order). */
  readonly dictionaries: FeatureSplit[];
}

/** Refuses splices without the error term that break the component sum (see above). */
function checkSplices(model: Model): void {
  for (const u of model.dictionaries ?? []) {
    const out = u.dictionary.config.hookOut;
    if (u.splice !== false && u.errorTerm !== true && /\.hook_resid_(pre|mid|post)$|\.hook_attn_out$/.test(out)) {
      throw new Error(`DLA: dictionary ${u.dictionary.config.label} replaces ${out} without its error term, so the components written before it no longer sum to the logits; splice it with the error term (dictionarySplice with-error)`);
    }
  }
}

/** The attached dictionaries DLA splits: spliced in, one residual-width vector per position. */
function splitDictionaries(model: Model): DictionaryUse[] {
  return (model.dictionaries ?? []).filter((u) => u.splice !== false && splitsResidual(u.dictionary, model.spec.dModel));
}

function captureList(model: Model, options: DlaOptions): string[] {
  const { spec } = model;
  const names: string[] = [hook.embed, hook.lnFinalScale, hook.residPost(spec.nLayers - 1)];
  if (spec.positional === 'learned') names.push(hook.posEmbed);
  for (let l = 0; l < spec.nLayers; l++) {
    names.push(hook.z(l), hook.mlpOut(l));
    if (model.weights.blocks[l].ln1Post) names.push(hook.lnPostScale(l, 1));
    if (options.perNeuron && model.weights.blocks[l].ln2Post) names.push(hook.lnPostScale(l, 2));
    if (options.perNeuron) names.push(hook.mlpPost(l));
    if (options.perSource) names.push(hook.pattern(l), hook.v(l));
  }
  for (const u of splitDictionaries(model)) names.push(...featureSplitHooks(u.dictionary, u.errorTerm === true));
  return names;
}

export async function directLogitAttribution(model: Model, input: ModelInput, options: DlaOptions = {}): Promise<DlaResult> {
  const { spec } = model;
  const { nLayers: L, nHeads: H, nKvHeads, dHead: dh, dModel: d, dMlp, dVocab: V } = spec;
  const ids = oneSequence(model, input, options.prependBos, 'DLA input');
  const S = ids.length;
  const pos = resolvePosition(options.pos, S, 'DLA position');
  checkSplices(model);
  const clean = await run(model, { ids }, { capture: captureList(model, options) });
  const logits = rowAt(clean.logits!.data, pos, V);
  const answer = options.answer ?? extremeIds(logits, 1)[0];
  const target: LogitTarget = { answer, wrong: options.wrong };
  const c = clean.cache;
  const scale = c[hook.lnFinalScale].data[pos];
  const readout: FrozenReadout = await frozenReadout(model, target, scale, options.centred ?? true);
  const w = readout.direction;
  const cap = spec.finalSoftcap;
  const at = (name: string) => rowAt(c[name].data, pos, d);

  const components: DlaComponent[] = [{ name: 'embed', value: dot(at(hook.embed), w) }];
  if (spec.positional === 'learned') components.push({ name: 'pos_embed', value: dot(at(hook.posEmbed), w) });
  const heads: number[][] = [];
  const attnBias: number[] = [];
  const mlp: number[] = [];
  const neurons: number[][] | null = options.perNeuron ? [] : null;
  const mlpBias: number[] | null = options.perNeuron ? [] : null;
  const sources: number[][][] | null = options.perSource ? [] : null;
  const group = H / nKvHeads;
  /** The readout direction seen through a frozen post norm (/ s at pos · w_post), or w itself. */
  const throughPost = async (l: number, which: 1 | 2): Promise<Float64Array> => {
    const post = which === 1 ? model.weights.blocks[l].ln1Post : model.weights.blocks[l].ln2Post;
    if (!post) return w;
    const s = c[hook.lnPostScale(l, which)].data[pos];
    const gamma = await hostWeight(model, post.w);
    return Float64Array.from(w, (v, i) => (v * gamma[i]) / s);
  };
  for (let l = 0; l < L; l++) {
    const block = model.weights.blocks[l];
    const wAttn = await throughPost(l, 1);
    const proj = await headWriteProjections(model, l, wAttn);
    const z = rowAt(c[hook.z(l)].data, pos, H * dh);
    const layerHeads = Array.from({ length: H }, (_, h) => dot(z.subarray(h * dh, (h + 1) * dh), proj.subarray(h * dh, (h + 1) * dh)));
    heads.push(layerHeads);
    layerHeads.forEach((value, h) => components.push({ name: `L${l}H${h}`, value }));
    attnBias.push(dot(await hostWeightOrZeros(model, block.attn.bO, d), wAttn));
    components.push({ name: `L${l}.attn_bias`, value: attnBias[l] });
    mlp.push(dot(at(hook.mlpOut(l)), w));
    components.push({ name: `L${l}.mlp`, value: mlp[l] });
    if (neurons && mlpBias) {
      const wMlp = await throughPost(l, 2);
      const perNeuron = await neuronWriteProjections(model, l, wMlp);
      const post = rowAt(c[hook.mlpPost(l)].data, pos, dMlp);
      neurons.push(Array.from(perNeuron, (v, j) => post[j] * v));
      mlpBias.push(dot(await hostWeightOrZeros(model, block.mlp.bOut, d), wMlp));
    }
    if (sources) {
      const pattern = c[hook.pattern(l)].data; // [1, head, pos, kvPos]
      const v = c[hook.v(l)].data; // [1, kvPos, kvHead, dHead]
      sources.push(
        Array.from({ length: H }, (_, h) => {
          const kv = Math.floor(h / group);
          const ov = proj.subarray(h * dh, (h + 1) * dh);
          return Array.from({ length: S }, (_, j) => pattern[(h * S + pos) * S + j] * dot(v.subarray((j * nKvHeads + kv) * dh, (j * nKvHeads + kv + 1) * dh), ov));
        }),
      );
    }
  }
  components.push({ name: 'ln_final.bias', value: readout.normBias });
  if (spec.normalization === 'layernorm' && !readout.centred) {
    const resid = at(hook.residPost(L - 1));
    const mean = resid.reduce((a, x) => a + x, 0) / d;
    components.push({ name: 'ln_final.mean_term', value: -mean * readout.meanCoefficient });
  }
  const dictionaries: FeatureSplit[] = [];
  for (const u of splitDictionaries(model)) dictionaries.push(await featureSplit(u.dictionary, c, pos, w));
  return {
    dictionaries,
    ids,
    pos,
    answer,
    wrong: options.wrong ?? null,
    metric: metricOf(logits, target),
    metricBeforeSoftcap: cap === undefined ? null : metricOf(logits.map((x) => cap * Math.atanh(x / cap)), target),
    total: components.reduce((a, x) => a + x.value, 0),
    unembedBias: readout.unembedBias,
    scale,
    centred: readout.centred,
    components,
    heads,
    attnBias,
    mlp,
    neurons,
    mlpBias,
    sources,
  };
}
