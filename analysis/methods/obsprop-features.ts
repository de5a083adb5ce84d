/**
 * ObsProp's algebra (METHODS.md, "ObsProp"): observables and their pull-backs ("feature
 * vectors") through each kind of model component, composed along paths. `obsprop.ts` uses these
 * to analyse a model; they are exported for notebooks and custom paths.
 *
 *   observable      n = Σ e(pos tokens) − Σ e(neg tokens)                       [vocab]
 *   unembedding     W_Uᵀ n                                                      [dModel]
 *   norm            (γ ⊙ v) / s, LayerNorm also removes the mean: centre(γ ⊙ v) / s
 *                   (the transposed Jacobian of the norm with its scale s frozen)
 *   head h (OV)     W_Vʰᵀ W_Oʰᵀ v   (GQA: W_V rows of the kv head h reads); the attention
 *                   pattern only multiplies the score, so it is not part of the feature
 *   MLP             ∇ₓ (v · MLP(x)) at a linearisation point x (the MLP's input, after ln2)
 *
 * A feature vector y at a point means: the observable's value moves by y · δx for a change δx
 * there, along the chosen path, with everything nonlinear frozen. Vectors are Float64Array
 * [dModel]; heavy products run on the backend (`linearTransposed`), so large models never copy
 * their matrices to the host.
 */
import type { Tensor } from '../../gpu/backend.ts';
import { hook } from '../hooks/points.ts';
import type { Model } from '../model/model.ts';
import { tensorScope } from '../model/scope.ts';
import { hostWeight } from './host-weights.ts';
import { resolveTokenValue } from './token-input.ts';
import type { NormWeights } from '../model/weights.ts';

// --- Observables -------------------------------------------------------------------------------

/** A token given by id, or by its text (" he"): an exact vocabulary piece, or text that encodes to one token. */
export type TokenSpec = number | string;

export interface Observable {
  readonly positive: readonly number[];
  readonly negative: readonly number[];
}

/**
 * The id of one token, by the one token resolver (token-input.ts): a number is an id, a string
 * a token string as the token strip shows it (" he" is SentencePiece's "▁he"), or text that
 * encodes to exactly one token — anything else is an error naming its pieces.
 */
export function resolveToken(model: Model, token: TokenSpec, what = 'token'): number {
  const r = resolveTokenValue(token, { vocabSize: model.spec.dVocab, tokenizer: model.tokenizer });
  if (!r.ok) throw new Error(`${what}: ${r.message}`);
  return r.id;
}

export function observable(model: Model, positive: readonly TokenSpec[], negative: readonly TokenSpec[] = []): Observable {
  if (positive.length === 0 && negative.length === 0) throw new Error('an observable needs at least one positive or negative token');
  return {
    positive: positive.map((t, i) => resolveToken(model, t, `positive token ${i}`)),
    negative: negative.map((t, i) => resolveToken(model, t, `negative token ${i}`)),
  };
}

/** n · logits for a logits row [vocab]. */
export function observableValue(obs: Observable, logits: ArrayLike<number>): number {
  let s = 0;
  for (const t of obs.positive) s += logits[t];
  for (const t of obs.negative) s -= logits[t];
  return s;
}

/** W_Uᵀ n [dModel]: the observable read off the final norm's output. */
export async function unembedFeature(model: Model, obs: Observable, gain: (token: number) => number = () => 1): Promise<Float64Array> {
  const d = model.spec.dModel;
  const wU = await hostWeight(model, model.weights.unembed); // [vocab, dModel]
  const out = new Float64Array(d);
  const addRow = (t: number, sign: number) => {
    const g = sign * gain(t);
    for (let i = 0; i < d; i++) out[i] += g * wU[t * d + i];
  };
  obs.positive.forEach((t) => addRow(t, 1));
  obs.negative.forEach((t) => addRow(t, -1));
  return out;
}

// --- Pull-backs through one component -----------------------------------------------------------

/** Which norm: the final one, or ln1 / ln2 of a layer. */
export type NormRef = 'final' | { readonly layer: number; readonly which: 1 | 2 };

/** The norm's weights; undefined for the pre-norm a post-norm block (OLMo-2) does not have. */
function normWeights(model: Model, norm: NormRef): NormWeights<Tensor> | undefined {
  if (norm === 'final') return model.weights.lnFinal;
  checkLayer(model, norm.layer);
  const blk = model.weights.blocks[norm.layer];
  return norm.which === 1 ? blk.ln1 : blk.ln2;
}

/**
 * (γ ⊙ v) / s, centred for LayerNorm: the feature before a norm whose scale is frozen at s. A
 * block without that pre-norm (OLMo-2) reads the stream itself: v unchanged.
 */
export async function normPullback(model: Model, v: Float64Array, norm: NormRef, scale: number): Promise<Float64Array> {
  if (!(scale > 0)) throw new Error(`norm pull-back: the frozen scale must be > 0, got ${scale}`);
  const weights = normWeights(model, norm);
  if (!weights) return Float64Array.from(v);
  const gamma = await hostWeight(model, weights.w);
  const out = Float64Array.from(v, (x, i) => (x * gamma[i]) / scale);
  if (model.spec.normalization === 'layernorm') {
    const mean = out.reduce((a, x) => a + x, 0) / out.length;
    for (let i = 0; i < out.length; i++) out[i] -= mean;
  }
  return out;
}

/**
 * Through a post-sublayer norm (Gemma, OLMo-2: ln1_post on the attention output, ln2_post on the
 * MLP output) frozen at scale s: (γ ⊙ v) / s, the feature on the sublayer's raw output. Blocks
 * without one: v unchanged.
 */
export async function postNormPullback(model: Model, v: Float64Array, layer: number, which: 1 | 2, scale: number): Promise<Float64Array> {
  checkLayer(model, layer);
  const blk = model.weights.blocks[layer];
  const post = which === 1 ? blk.ln1Post : blk.ln2Post;
  if (!post) return v;
  if (!(scale > 0)) throw new Error(`post-norm pull-back: the frozen scale must be > 0, got ${scale}`);
  const gamma = await hostWeight(model, post.w);
  return Float64Array.from(v, (x, i) => (x * gamma[i]) / scale);
}

function checkLayer(model: Model, layer: number): void {
  if (!Number.isInteger(layer) || layer < 0 || layer >= model.spec.nLayers) throw new Error(`layer ${layer} is outside [0, ${model.spec.nLayers})`);
}

function checkHead(model: Model, layer: number, head: number): void {
  checkLayer(model, layer);
  if (!Number.isInteger(head) || head < 0 || head >= model.spec.nHeads) throw new Error(`head ${head} of layer ${layer} is outside [0, ${model.spec.nHeads})`);
}

/**
 * W_Vʰᵀ W_Oʰᵀ v for every head of a layer at once → [head][dModel], the features at the heads'
 * input (ln1's output). Two backend products: u = W_Oᵀ v [head·dHead], then each head's slice is
 * placed in its kv head's slot of one row per head and multiplied by W_V.
 */
export async function headOvPullbacks(model: Model, layer: number, v: Float64Array): Promise<Float64Array[]> {
  checkLayer(model, layer);
  const { nHeads: H, nKvHeads: Hkv, dHead: dh, dModel: d } = model.spec;
  const w = model.weights.blocks[layer].attn;
  const scope = tensorScope(model.backend);
  const b = scope.backend;
  try {
    const [u] = await model.backend.read([b.linearTransposed(b.upload(Float32Array.from(v), [1, d]), w.wO)]);
    const group = H / Hkv;
    const placed = new Float32Array(H * Hkv * dh);
    for (let h = 0; h < H; h++) {
      const kv = Math.floor(h / group);
      placed.set(u.subarray(h * dh, (h + 1) * dh), h * Hkv * dh + kv * dh);
    }
    const [y] = await model.backend.read([b.linearTransposed(b.upload(placed, [H, Hkv * dh]), w.wV)]);
    return Array.from({ length: H }, (_, h) => Float64Array.from(y.subarray(h * d, (h + 1) * d)));
  } finally {
    scope.release();
  }
}

export async function headOvPullback(model: Model, layer: number, head: number, v: Float64Array): Promise<Float64Array> {
  checkHead(model, layer, head);
  return (await headOvPullbacks(model, layer, v))[head];
}

/** The MLP on the backend for input rows x [rows, dModel]: pre-activations kept for the gradient. */
function mlpForward(model: Model, b: typeof model.backend, layer: number, x: Tensor) {
  const { spec } = model;
  const w = model.weights.blocks[layer].mlp;
  if (spec.gatedMlp) {
    if (!w.wGate) throw new Error(`layer ${layer}: gated MLP without a gate projection`);
    const gate = b.linear(x, w.wGate);
    const up = b.linear(x, w.wIn, w.bIn);
    const post = b.mul(b.unary(gate, spec.activation), up);
    return { gate, up, pre: gate, out: b.linear(post, w.wOut, w.bOut) };
  }
  const pre = b.linear(x, w.wIn, w.bIn);
  return { gate: null, up: null, pre, out: b.linear(b.unary(pre, spec.activation), w.wOut, w.bOut) };
}

function checkPoint(model: Model, point: ArrayLike<number>, what: string): void {
  if (point.length !== model.spec.dModel) throw new Error(`${what}: the MLP input has ${point.length} entries, expected dModel = ${model.spec.dModel}`);
}

/** v · MLP(x) for MLP inputs (rows of `points`, each [dModel]), computed on the backend. */
export async function mlpValues(model: Model, layer: number, v: Float64Array, points: readonly ArrayLike<number>[]): Promise<number[]> {
  checkLayer(model, layer);
  points.forEach((p, i) => checkPoint(model, p, `MLP value ${i}`));
  const d = model.spec.dModel;
  const scope = tensorScope(model.backend);
  try {
    const x = new Float32Array(points.length * d);
    points.forEach((p, i) => x.set(Array.from(p), i * d));
    const { out } = mlpForward(model, scope.backend, layer, scope.backend.upload(x, [points.length, d]));
    const [data] = await model.backend.read([out]);
    return points.map((_, r) => {
      let s = 0;
      for (let i = 0; i < d; i++) s += v[i] * data[r * d + i];
      return s;
    });
  } finally {
    scope.release();
  }
}

/**
 * ∇ₓ (v · MLP(x)) at the MLP input `point` [dModel] (the tangent, not a secant):
 *   ungated  W_inᵀ (act'(pre) ⊙ W_outᵀ v)
 *   gated    W_gateᵀ (act'(gate) ⊙ up ⊙ W_downᵀ v) + W_upᵀ (act(gate) ⊙ W_downᵀ v)
 */
export async function mlpPullback(model: Model, layer: number, v: Float64Array, point: ArrayLike<number>): Promise<Float64Array> {
  checkLayer(model, layer);
  checkPoint(model, point, `MLP pull-back at layer ${layer}`);
  const { dModel: d, activation } = model.spec;
  const w = model.weights.blocks[layer].mlp;
  const scope = tensorScope(model.backend);
  const b = scope.backend;
  try {
    const f = mlpForward(model, b, layer, b.upload(Float32Array.from(point), [1, d]));
    const gPost = b.linearTransposed(b.upload(Float32Array.from(v), [1, d]), w.wOut); // [1, neuron]
    let grad: Tensor;
    if (f.gate && f.up) {
      const gGate = b.mul(b.mul(gPost, f.up), b.unaryGrad(f.gate, activation));
      const gUp = b.mul(gPost, b.unary(f.gate, activation));
      grad = b.add(b.linearTransposed(gGate, w.wGate!), b.linearTransposed(gUp, w.wIn));
    } else {
      grad = b.linearTransposed(b.mul(gPost, b.unaryGrad(f.pre, activation)), w.wIn);
    }
    const [data] = await model.backend.read([grad]);
    return Float64Array.from(data);
  } finally {
    scope.release();
  }
}

export interface ZeroCrossing {
  /** [dModel] the point x = (1 − t)·negative + t·positive with v · MLP(x) ≈ 0. */
  readonly point: Float64Array;
  readonly t: number;
  /** v · MLP at the two ends and at the point. */
  readonly valueNegative: number;
  readonly valuePositive: number;
  readonly valueAtPoint: number;
}

/**
 * The point on the segment from `negative` to `positive` (MLP inputs) where v · MLP(x) = 0, by
 * bisection (v · MLP is continuous; its sign must differ at the ends). null when it does not:
 * the segment has no guaranteed crossing, and no point of it is singled out.
 */
export async function mlpZeroCrossing(
  model: Model,
  layer: number,
  v: Float64Array,
  negative: ArrayLike<number>,
  positive: ArrayLike<number>,
  iterations = 40,
): Promise<ZeroCrossing | null> {
  const at = (t: number) => Float64Array.from({ length: model.spec.dModel }, (_, i) => (1 - t) * negative[i] + t * positive[i]);
  const [f0, f1] = await mlpValues(model, layer, v, [negative, positive]);
  if (f0 === 0) return { point: at(0), t: 0, valueNegative: f0, valuePositive: f1, valueAtPoint: 0 };
  if (f1 === 0) return { point: at(1), t: 1, valueNegative: f0, valuePositive: f1, valueAtPoint: 0 };
  if (Math.sign(f0) === Math.sign(f1)) return null;
  let lo = 0;
  let hi = 1;
  let fMid = f0;
  for (let k = 0; k < iterations; k++) {
    const mid = (lo + hi) / 2;
    [fMid] = await mlpValues(model, layer, v, [at(mid)]);
    if (fMid === 0) {
      lo = hi = mid;
      break;
    }
    if (Math.sign(fMid) === Math.sign(f0)) lo = mid;
    else hi = mid;
  }
  const t = (lo + hi) / 2;
  const [value] = await mlpValues(model, layer, v, [at(t)]);
  return { point: at(t), t, valueNegative: f0, valuePositive: f1, valueAtPoint: value };
}

// --- Paths ---------------------------------------------------------------------------------------

export type PathNode = { readonly kind: 'head'; readonly layer: number; readonly head: number } | { readonly kind: 'mlp'; readonly layer: number };

/** Frozen norm scales: [layer] for ln1/ln2; 1 everywhere is the "data-free" choice. */
export interface FrozenScales {
  readonly final: number;
  readonly ln1: readonly number[];
  readonly ln2: readonly number[];
  /** Post-sublayer norms (Gemma, OLMo-2); absent or 1 where a block has none. */
  readonly ln1Post?: readonly number[];
  readonly ln2Post?: readonly number[];
}

export function dataFreeScales(model: Model): FrozenScales {
  const ones = new Array<number>(model.spec.nLayers).fill(1);
  return { final: 1, ln1: ones, ln2: ones, ln1Post: ones, ln2Post: ones };
}

export interface PathContext {
  readonly scales: FrozenScales;
  /** [layer] MLP inputs to linearise at; needed for every MLP on a path. */
  readonly mlpPoints?: readonly (ArrayLike<number> | null | undefined)[];
}

export interface PathFeature {
  /** Nodes from the logits backwards. */
  readonly path: PathNode[];
  /** [dModel] at `hook` (the residual stream before the last node's input norm). */
  readonly feature: Float64Array;
  readonly hook: string;
  /** [dModel] at the last node's input (after its norm): the OV / MLP pull-back itself. */
  readonly inputFeature: Float64Array;
}

export function pathLabel(path: readonly PathNode[]): string {
  return path.map((n) => (n.kind === 'head' ? `L${n.layer}H${n.head}` : `MLP${n.layer}`)).join(' ← ') || 'direct';
}

/** Whether `up` can feed `down` through the residual stream (strictly earlier in the forward pass). */
function feeds(model: Model, up: PathNode, down: PathNode): boolean {
  if (up.layer !== down.layer) return up.layer < down.layer;
  return up.kind === 'head' && down.kind === 'mlp' && !model.spec.parallelResidual;
}

/** The residual-stream hook a node reads (through its input norm). */
export function nodeInputHook(model: Model, node: PathNode): string {
  if (node.kind === 'head' || model.spec.parallelResidual) return hook.residPre(node.layer);
  return hook.residMid(node.layer);
}

/**
 * The feature of n along `path` (logits ← final norm ← node₁ ← its input norm ← node₂ ← …):
 * the composition of the pull-backs above, norms frozen at `ctx.scales`.
 */
export async function pathFeature(model: Model, start: Float64Array, path: readonly PathNode[], ctx: PathContext): Promise<PathFeature> {
  if (path.length === 0) throw new Error('a path needs at least one head or MLP');
  let v = await normPullback(model, start, 'final', ctx.scales.final);
  let inputFeature = v;
  path.forEach((node, i) => {
    if (i > 0 && !feeds(model, node, path[i - 1])) {
      throw new Error(`path ${pathLabel(path)}: ${pathLabel([node])} cannot feed ${pathLabel([path[i - 1]])} (each node must come earlier in the forward pass than the one before it)`);
    }
  });
  for (const node of path) {
    if (node.kind === 'head') {
      v = await postNormPullback(model, v, node.layer, 1, ctx.scales.ln1Post?.[node.layer] ?? 1);
      inputFeature = await headOvPullback(model, node.layer, node.head, v);
      v = await normPullback(model, inputFeature, { layer: node.layer, which: 1 }, ctx.scales.ln1[node.layer]);
    } else {
      checkLayer(model, node.layer);
      const point = ctx.mlpPoints?.[node.layer];
      if (!point) throw new Error(`path ${pathLabel(path)}: MLP${node.layer} needs a linearisation point (give a prompt, or positive/negative prompts)`);
      v = await postNormPullback(model, v, node.layer, 2, ctx.scales.ln2Post?.[node.layer] ?? 1);
      inputFeature = await mlpPullback(model, node.layer, v, point);
      // Parallel-residual blocks read the MLP's input through ln2 as well (from resid_pre).
      v = await normPullback(model, inputFeature, { layer: node.layer, which: 2 }, ctx.scales.ln2[node.layer]);
    }
  }
  return { path: [...path], feature: v, hook: nodeInputHook(model, path[path.length - 1]), inputFeature };
}

// --- Comparing features --------------------------------------------------------------------------

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`dot: lengths ${a.length} and ${b.length} differ`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function vectorNorm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** cos(y1, y2); NaN when either is zero. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = vectorNorm(a) * vectorNorm(b);
  return n === 0 ? NaN : dot(a, b) / n;
}

/**
 * Coupling coefficient C(y1, y2) = y1·y2 / ‖y1‖²: the predicted slope of y2-scores against
 * y1-scores over inputs aligned with y1 (C(y, 2y) = 2, C(2y, y) = 0.5). NaN when y1 = 0.
 */
export function couplingCoefficient(y1: ArrayLike<number>, y2: ArrayLike<number>): number {
  const n = dot(y1, y1);
  return n === 0 ? NaN : dot(y1, y2) / n;
}
