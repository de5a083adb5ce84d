/**
 * ObsProp — observable propagation (METHODS.md, "ObsProp"). An observable is a linear functional
 * on the logits, n = Σ e(pos tokens) − Σ e(neg tokens). Its feature vector at a point of the
 * network is the pull-back of n along a path (algebra in obsprop-features.ts): through the
 * unembedding W_Uᵀ n, through norms with frozen scale (γ ⊙ v)/s (centred for LayerNorm), through
 * a head's OV circuit W_Vʰᵀ W_Oʰᵀ v, through an MLP as the gradient of v · MLP(x) at a
 * linearisation point. This file analyses a whole model with it:
 *
 *   - every head's direct-path feature (n ← final norm ← head OV ← ln1), its norm (data-free
 *     importance), a ranking of all heads by norm beside the head's ablation effect on n·logits;
 *   - every MLP's direct-path feature, linearised at the prompt's MLP input at `pos`, or at the
 *     point between a positive and a negative prompt's MLP inputs where v · MLP(x) = 0;
 *   - features along requested multi-step paths;
 *   - per-token scores y · x over the prompt, cosine similarities, LM-head decoding of features;
 *   - with dictionaries attached to the model, their features scored against the observable's
 *     direct-path feature (obsprop-dictionaries.ts).
 *
 * Frozen scales: from the prompt's run at `pos` (every norm's hook_scale there), or 1 everywhere
 * ("data-free"; the default without a prompt). Per-token scores use each token's own norm:
 * score_j = y_in · (γ ⊙ x̂_j), x̂_j = (x_j − mean)/s_j — the exact linear score of the path at source
 * j (the head then weights it by pattern[dst, j]); with all scales 1 and no norm this is y · x_j.
 *
 * Axis order: heads [layer][head]; features [dModel]; scores [pos]; cosine [i][j] over heads
 * flattened layer-major (index = layer·nHeads + head).
 */
import type { HostActivation } from '../hooks/interventions.ts';
import { hook } from '../hooks/points.ts';
import type { HookOptions } from '../hooks/session.ts';
import type { Model } from '../model/model.ts';
import type { ModelInput } from '../model/run.ts';
import { run } from '../model/run.ts';
import { hostWeight } from './host-weights.ts';
import type { DictionaryObservable } from './obsprop-dictionaries.ts';
import { dictionaryObservables, observableCaptures } from './obsprop-dictionaries.ts';
import { blockNorms } from '../model/spec.ts';
import type { DecodedDirection } from './neurons.ts';
import { decodeDirection } from './neurons.ts';
import type { FrozenScales, NormRef, Observable, PathFeature, PathNode, TokenSpec, ZeroCrossing } from './obsprop-features.ts';
import {
  cosineSimilarity,
  dataFreeScales,
  dot,
  headOvPullbacks,
  mlpPullback,
  mlpZeroCrossing,
  nodeInputHook,
  normPullback,
  observable,
  observableValue,
  pathFeature,
  postNormPullback,
  unembedFeature,
  vectorNorm,
} from './obsprop-features.ts';
import { oneSequence, resolvePosition, rowAt } from './sequence.ts';

export interface ObsPropOptions {
  readonly positive: readonly TokenSpec[];
  readonly negative?: readonly TokenSpec[];
  /** The prompt for frozen scales, MLP linearisation, per-token scores and ablation effects. */
  readonly prompt?: ModelInput;
  readonly prependBos?: boolean;
  /** Position on the prompt (negative from the end; default the last). */
  readonly pos?: number;
  /** Default 'prompt' when a prompt is given, else 'data-free'. */
  readonly scales?: 'prompt' | 'data-free';
  /**
   * MLP linearisation point. Default: the prompt's MLP input at `pos` (MLPs are skipped without a
   * prompt). `zeroCrossing`: between these prompts' MLP inputs (at their last token), where
   * v · MLP(x) = 0; layers without a sign change get no MLP feature.
   */
  readonly zeroCrossing?: { readonly positive: ModelInput; readonly negative: ModelInput };
  /** Multi-step paths, each listed from the logits backwards. */
  readonly paths?: readonly (readonly PathNode[])[];
  /** Ablation of each head's hook_z on the prompt (default 'zero' with a prompt). */
  readonly effects?: 'zero' | 'mean' | 'none';
  /** Tokens at each end when decoding features (default 10; 0 = skip). */
  readonly topK?: number;
  /** Cosine similarities between all head features (default true). */
  readonly similarity?: boolean;
  /** Interventions / callbacks applied in every run this analysis makes (analyse a modified model). */
  readonly hookOptions?: Pick<HookOptions, 'interventions' | 'callbacks' | 'caches'>;
}

export interface HeadFeature {
  readonly layer: number;
  readonly head: number;
  /** [dModel] at blocks.{layer}.hook_resid_pre (through ln1 with its frozen scale). */
  readonly feature: Float64Array;
  /** [dModel] at the head's input (ln1's output): W_Vʰᵀ W_Oʰᵀ v. */
  readonly inputFeature: Float64Array;
  /** ‖feature‖ */
  readonly norm: number;
  /** [pos] per-token scores on the prompt; null without one. */
  readonly scores: Float64Array | null;
  /** n·logits(ablated) − n·logits(clean) at pos; null without effects. */
  readonly effect: number | null;
  readonly decoded: DecodedDirection | null;
}

export interface MlpFeature {
  readonly layer: number;
  /** [dModel] at the MLP's residual input (resid_mid; resid_pre for parallel blocks). */
  readonly feature: Float64Array;
  /** [dModel] the gradient at the MLP input (after ln2). */
  readonly inputFeature: Float64Array;
  readonly norm: number;
  readonly scores: Float64Array | null;
  readonly decoded: DecodedDirection | null;
  /** The zero crossing used, when linearised between a positive and a negative prompt. */
  readonly crossing: ZeroCrossing | null;
}

export interface PathResult extends PathFeature {
  readonly norm: number;
  readonly scores: Float64Array | null;
  readonly decoded: DecodedDirection | null;
}

export interface ObsPropResult {
  readonly observable: { readonly positive: number[]; readonly negative: number[] };
  /** The prompt's tokens and the analysed position; null without a prompt. */
  readonly ids: number[] | null;
  readonly pos: number | null;
  /** n · logits at pos on the prompt. */
  readonly value: number | null;
  readonly scaleMode: 'prompt' | 'data-free';
  readonly scales: FrozenScales;
  /** [dModel] W_Uᵀ n. */
  readonly unembed: Float64Array;
  /** [layer][head] */
  readonly heads: HeadFeature[][];
  /** All heads, largest feature norm first. */
  readonly ranking: { readonly layer: number; readonly head: number; readonly norm: number; readonly effect: number | null }[];
  /** [layer]; entries null where no linearisation point exists (no prompt, or no zero crossing). */
  readonly mlps: (MlpFeature | null)[];
  readonly paths: PathResult[];
  /** [head][head] flattened layer-major; null when not asked. */
  readonly cosine: number[][] | null;
  /** The attached residual-width dictionaries' features against the observable (largest |weight| first); empty without. */
  readonly dictionaries: DictionaryObservable[];
}

interface PromptRun {
  readonly ids: number[];
  readonly pos: number;
  readonly value: number;
  /** [vocab] the logits at pos. */
  readonly logits: Float32Array;
  readonly cache: Record<string, HostActivation>;
}

/** Residual hooks every norm reads, and the norms' scales: what the analysis needs from a prompt. */
function promptCaptures(model: Model): string[] {
  const names: string[] = [hook.lnFinalScale];
  const norms = blockNorms(model.spec);
  for (let l = 0; l < model.spec.nLayers; l++) {
    if (norms !== 'post') names.push(hook.lnScale(l, 1), hook.lnScale(l, 2));
    if (norms !== 'pre') names.push(hook.lnPostScale(l, 1), hook.lnPostScale(l, 2));
    names.push(hook.residPre(l));
    if (!model.spec.parallelResidual) names.push(hook.residMid(l));
  }
  return names;
}

async function runPrompt(model: Model, input: ModelInput, options: ObsPropOptions, obs: Observable, posOption: number | undefined, what: string): Promise<PromptRun> {
  const ids = oneSequence(model, input, options.prependBos, what);
  const pos = resolvePosition(posOption, ids.length, `${what} position`);
  const r = await run(model, { ids }, { ...options.hookOptions, capture: [...promptCaptures(model), ...observableCaptures(model)] });
  const logits = rowAt(r.logits!.data, pos, model.spec.dVocab);
  return { ids, pos, value: observableValue(obs, logits), logits, cache: r.cache };
}

function scalesAt(model: Model, p: PromptRun): FrozenScales {
  const S = p.ids.length;
  // A norm the blocks do not have (OLMo-2's pre-norms, pre-norm models' post norms) counts as 1.
  const at = (name: string) => (p.cache[name] ? p.cache[name].data[p.pos] : 1);
  if (p.cache[hook.lnFinalScale].data.length !== S) throw new Error('internal: ln scale capture is not [1, pos, 1]');
  const perLayer = (name: (l: number) => string) => Array.from({ length: model.spec.nLayers }, (_, l) => at(name(l)));
  return {
    final: at(hook.lnFinalScale),
    ln1: perLayer((l) => hook.lnScale(l, 1)),
    ln2: perLayer((l) => hook.lnScale(l, 2)),
    ln1Post: perLayer((l) => hook.lnPostScale(l, 1)),
    ln2Post: perLayer((l) => hook.lnPostScale(l, 2)),
  };
}

/** γ ⊙ (x_j − mean)/s_j for every position j of a residual capture: the norm's linear part, [pos][dModel]. */
async function normLinearRows(model: Model, p: PromptRun, residHook: string, norm: Exclude<NormRef, 'final'>): Promise<Float64Array[]> {
  const d = model.spec.dModel;
  const blk = model.weights.blocks[norm.layer];
  const pre = norm.which === 1 ? blk.ln1 : blk.ln2;
  const resid = p.cache[residHook].data;
  // A post-norm block (OLMo-2) reads the stream itself.
  if (!pre) return Array.from({ length: p.ids.length }, (_, j) => Float64Array.from(rowAt(resid, j, d)));
  const gamma = await hostWeight(model, pre.w);
  const scale = p.cache[hook.lnScale(norm.layer, norm.which)].data;
  const centre = model.spec.normalization === 'layernorm';
  return Array.from({ length: p.ids.length }, (_, j) => {
    const x = rowAt(resid, j, d);
    const mean = centre ? x.reduce((a, v) => a + v, 0) / d : 0;
    return Float64Array.from(x, (v, i) => (gamma[i] * (v - mean)) / scale[j]);
  });
}

/** The MLP's input (the full ln2 output, bias included) at position `pos` of a prompt run. */
async function mlpInputAt(model: Model, p: PromptRun, layer: number, pos: number): Promise<Float64Array> {
  const residHook = nodeInputHook(model, { kind: 'mlp', layer });
  const [row] = (await normLinearRows(model, { ...p, ids: p.ids.slice(0, pos + 1) }, residHook, { layer, which: 2 })).slice(pos);
  const beta = model.weights.blocks[layer].ln2?.b;
  if (beta) {
    const b = await hostWeight(model, beta);
    return row.map((v, i) => v + b[i]);
  }
  return row;
}

async function decodeOrNull(model: Model, v: Float64Array, topK: number): Promise<DecodedDirection | null> {
  return topK > 0 ? decodeDirection(model, v, { topK }) : null;
}

/** Each head's hook_z ablated alone, batched one head per row: n·logits(ablated) − clean, [layer][head]. */
async function headEffects(model: Model, p: PromptRun, obs: Observable, mode: 'zero' | 'mean', options: ObsPropOptions): Promise<number[][]> {
  const { nLayers: L, nHeads: H, dVocab: V } = model.spec;
  // Logits at pos depend only on tokens ≤ pos (causal), so later tokens are dropped.
  const ids = p.ids.slice(0, p.pos + 1);
  const heads = Array.from({ length: L * H }, (_, i) => ({ layer: Math.floor(i / H), head: i % H }));
  const out = Array.from({ length: L }, () => new Array<number>(H).fill(0));
  const rowsPerPass = 8;
  for (let start = 0; start < heads.length; start += rowsPerPass) {
    const chunk = heads.slice(start, start + rowsPerPass);
    const r = await run(model, { ids: chunk.map(() => ids) }, {
      ...options.hookOptions,
      logits: 'last',
      interventions: [...(options.hookOptions?.interventions ?? []), ...chunk.map((h, row) => ({ hook: hook.z(h.layer), op: mode, head: h.head, batch: row }))],
    });
    chunk.forEach((h, row) => (out[h.layer][h.head] = observableValue(obs, rowAt(r.logits!.data, row, V)) - p.value));
  }
  return out;
}

/**
 * Gemma-2's final softcap L = c·tanh(z/c) as a frozen gain on each observable token's pre-cap
 * logit: L/z at the prompt's position (the secant, exact there), or 1 (its slope at 0) data-free.
 */
function softcapGain(model: Model, prompt: PromptRun | null): (token: number) => number {
  const c = model.spec.finalSoftcap;
  if (c === undefined || !prompt) return () => 1;
  return (t) => {
    const capped = prompt.logits[t];
    const z = c * Math.atanh(capped / c);
    return z === 0 ? 1 : capped / z;
  };
}

export async function obsprop(model: Model, options: ObsPropOptions): Promise<ObsPropResult> {
  const { nLayers: L } = model.spec;
  const obs = observable(model, options.positive, options.negative ?? []);
  const topK = options.topK ?? 10;
  const prompt = options.prompt ? await runPrompt(model, options.prompt, options, obs, options.pos, 'ObsProp prompt') : null;
  const scaleMode = options.scales ?? (prompt ? 'prompt' : 'data-free');
  if (scaleMode === 'prompt' && !prompt) throw new Error('ObsProp: scales "prompt" needs a prompt (or use scales "data-free")');
  const scales = scaleMode === 'prompt' ? scalesAt(model, prompt!) : dataFreeScales(model);
  const unembed = await unembedFeature(model, obs, softcapGain(model, scaleMode === 'prompt' ? prompt : null));
  const v = await normPullback(model, unembed, 'final', scales.final);

  const scoresFor = async (input: Float64Array, residHook: string, norm: Exclude<NormRef, 'final'>) =>
    prompt ? Float64Array.from(await normLinearRows(model, prompt, residHook, norm), (row) => dot(input, row)) : null;

  const effectMode = options.effects ?? (prompt ? 'zero' : 'none');
  if (effectMode !== 'none' && !prompt) throw new Error(`ObsProp: effects "${effectMode}" need a prompt`);
  const effects = effectMode !== 'none' ? await headEffects(model, prompt!, obs, effectMode, options) : null;

  const heads: HeadFeature[][] = [];
  for (let l = 0; l < L; l++) {
    const inputs = await headOvPullbacks(model, l, await postNormPullback(model, v, l, 1, scales.ln1Post?.[l] ?? 1));
    const row: HeadFeature[] = [];
    for (const [h, inputFeature] of inputs.entries()) {
      const feature = await normPullback(model, inputFeature, { layer: l, which: 1 }, scales.ln1[l]);
      row.push({
        layer: l,
        head: h,
        feature,
        inputFeature,
        norm: vectorNorm(feature),
        scores: await scoresFor(inputFeature, hook.residPre(l), { layer: l, which: 1 }),
        effect: effects ? effects[l][h] : null,
        decoded: await decodeOrNull(model, feature, topK),
      });
    }
    heads.push(row);
  }
  const flat = heads.flat();
  const ranking = [...flat]
    .sort((a, b) => b.norm - a.norm || a.layer - b.layer || a.head - b.head)
    .map(({ layer, head, norm, effect }) => ({ layer, head, norm, effect }));

  // MLP linearisation points, [layer].
  let mlpPoints: (Float64Array | null)[] = new Array<Float64Array | null>(L).fill(null);
  const crossings: (ZeroCrossing | null)[] = new Array<ZeroCrossing | null>(L).fill(null);
  if (options.zeroCrossing) {
    const pos = await runPrompt(model, options.zeroCrossing.positive, options, obs, -1, 'positive prompt');
    const neg = await runPrompt(model, options.zeroCrossing.negative, options, obs, -1, 'negative prompt');
    for (let l = 0; l < L; l++) {
      const c = await mlpZeroCrossing(model, l, v, await mlpInputAt(model, neg, l, neg.pos), await mlpInputAt(model, pos, l, pos.pos));
      crossings[l] = c;
      mlpPoints[l] = c ? c.point : null;
    }
  } else if (prompt) {
    mlpPoints = await Promise.all(Array.from({ length: L }, (_, l) => mlpInputAt(model, prompt, l, prompt.pos)));
  }
  const mlps: (MlpFeature | null)[] = [];
  for (let l = 0; l < L; l++) {
    const point = mlpPoints[l];
    if (!point) {
      mlps.push(null);
      continue;
    }
    const inputFeature = await mlpPullback(model, l, await postNormPullback(model, v, l, 2, scales.ln2Post?.[l] ?? 1), point);
    const feature = await normPullback(model, inputFeature, { layer: l, which: 2 }, scales.ln2[l]);
    const residHook = nodeInputHook(model, { kind: 'mlp', layer: l });
    mlps.push({
      layer: l,
      feature,
      inputFeature,
      norm: vectorNorm(feature),
      scores: await scoresFor(inputFeature, residHook, { layer: l, which: 2 }),
      decoded: await decodeOrNull(model, feature, topK),
      crossing: crossings[l],
    });
  }

  const paths: PathResult[] = [];
  for (const path of options.paths ?? []) {
    const f = await pathFeature(model, unembed, path, { scales, mlpPoints });
    const last = path[path.length - 1];
    paths.push({
      ...f,
      norm: vectorNorm(f.feature),
      scores: await scoresFor(f.inputFeature, f.hook, { layer: last.layer, which: last.kind === 'head' ? 1 : 2 }),
      decoded: await decodeOrNull(model, f.feature, topK),
    });
  }

  const cosine = options.similarity === false ? null : flat.map((a) => flat.map((b) => cosineSimilarity(a.feature, b.feature)));
  return {
    observable: { positive: [...obs.positive], negative: [...obs.negative] },
    ids: prompt?.ids ?? null,
    pos: prompt?.pos ?? null,
    value: prompt?.value ?? null,
    scaleMode,
    scales,
    unembed,
    heads,
    ranking,
    mlps,
    paths,
    cosine,
    dictionaries: await dictionaryObservables(model, unembed, scales.final, DICTIONARY_FEATURES, prompt && { cache: prompt.cache, pos: prompt.pos }),
  };
}

/** How many features of each attached dictionary the result lists. */
const DICTIONARY_FEATURES = 20;
