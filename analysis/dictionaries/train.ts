/**
 * Training a sparse autoencoder or per-layer transcoder on activations, written in backend ops so
 * it runs on the CPU and on WebGPU alike. Two architectures:
 *
 * TopK (Gao et al. 2024, "Scaling and evaluating sparse autoencoders"):
 *   pre    = (x − b_dec·[SAE]) · W_encᵀ + b_enc;  acts = relu(topk_k(pre))
 *   recon  = acts · W_dec + b_dec;                  loss = mean over elements (recon − target)²
 *   aux    = (1/32) · mean (e − relu(topk_kaux(pre of dead features)) · W_dec)²,  e = target − recon
 *
 * JumpReLU (Rajamanoharan et al. 2024, "Jumping Ahead"; SAELens's JumpReLUTrainingSAE, "step"
 * sparsity mode):
 *   θ      = exp(log θ) per feature;               acts = pre · H(pre − θ)
 *   loss   = mean over rows ‖recon − target‖² + λ · mean over rows Σ_f H(pre_f − θ_f)
 *          [+ c_pre · mean over rows Σ_{dead f} relu(θ_f − pre_f)]   (Anthropic's pre-act loss, dead features only)
 * H has no derivative, so the straight-through estimators of the paper stand in for it: the
 * input gets the gradient of the mask held fixed (∂acts/∂pre = H(pre − θ)), and the threshold
 * gets the rectangle-kernel pseudo-derivatives of bandwidth ε,
 *   ∂acts/∂θ = −(θ/ε)·K((pre − θ)/ε),   ∂H/∂θ = −(1/ε)·K((pre − θ)/ε),   K(u) = 1 for |u| < ½, else 0
 * (chain rule to log θ: ·θ). λ ramps linearly over `l0WarmUpSteps`.
 *
 * Both: a feature is dead when it has not fired for `deadAfterSteps` steps (the auxiliary losses
 * act on those). Adam (β = 0.9, 0.999, ε = 1e-8); decoder rows renormalised to unit length after
 * each step, so a sparsity penalty cannot be dodged by shrinking activations and growing decoder
 * rows (SAELens's W_dec-norm factors are then 1). b_dec starts at the mean target, the decoder at
 * random unit rows and the encoder at the decoder's transpose; JumpReLU's θ at `initThreshold`.
 *
 * Adam's √v is kept directly (s = √v) and updated as s' = √2 · normScale([√β₂·s, √(1−β₂)·g]),
 * since the backend has no elementwise square root; normScale over a pair gives √((a² + b²)/2).
 *
 * Seeded (initialisation and batch order follow from `seed`), resumable (the state after any
 * step restarts to the same result as an uninterrupted run), with progress and cancel.
 */
import type { Backend, HostWeight, Tensor } from '../../gpu/backend.ts';
import { seededRandom } from '../../gpu/random.ts';
import { tensorScope } from '../model/scope.ts';
import type { HostDictionary } from './dictionary.ts';

export interface TrainData {
  /** [n, dIn] row-major. */
  readonly inputs: Float32Array;
  /** [n, dOut]; the inputs for an SAE. */
  readonly targets?: Float32Array;
  readonly n: number;
  readonly dIn: number;
  readonly dOut: number;
}

interface TrainConfigBase {
  readonly dSae: number;
  readonly steps: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
  /** Features idle this many steps count as dead for the auxiliary loss. */
  readonly deadAfterSteps: number;
}

export interface TopKTrainConfig extends TrainConfigBase {
  readonly architecture?: 'topk';
  readonly k: number;
  /** Auxiliary (AuxK) loss weight (1/32 in the paper). */
  readonly auxCoefficient: number;
}

export interface JumpReLUTrainConfig extends TrainConfigBase {
  readonly architecture: 'jumprelu';
  /** λ, the weight of the L0 penalty (per row, against the summed squared error). */
  readonly l0Coefficient: number;
  /** ε, the width of the rectangle kernel of the threshold's pseudo-derivative. */
  readonly bandwidth: number;
  /** θ at step 0, for every feature. */
  readonly initThreshold: number;
  /** λ ramps linearly from 0 over this many steps (0: full from the start). */
  readonly l0WarmUpSteps: number;
  /** Weight of the pre-act loss on dead features (0: off). */
  readonly preActCoefficient: number;
}

export type TrainConfig = TopKTrainConfig | JumpReLUTrainConfig;

export const DEFAULT_TRAIN: Omit<TopKTrainConfig, 'dSae' | 'k' | 'steps'> = {
  batchSize: 256,
  lr: 2e-3,
  seed: 0,
  deadAfterSteps: 100,
  auxCoefficient: 1 / 32,
};

/**
 * JumpReLU's own defaults: SAELens's JumpReLUTrainingSAEConfig (bandwidth 0.05, initial threshold
 * 0.01, λ 1, no warm-up, no pre-act loss). ε and θ are in the activations' units, so rescale
 * them for activations far from unit size.
 */
export const DEFAULT_JUMPRELU: Pick<JumpReLUTrainConfig, 'architecture' | 'l0Coefficient' | 'bandwidth' | 'initThreshold' | 'l0WarmUpSteps' | 'preActCoefficient'> = {
  architecture: 'jumprelu',
  l0Coefficient: 1,
  bandwidth: 0.05,
  initThreshold: 0.01,
  l0WarmUpSteps: 0,
  preActCoefficient: 0,
};

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;

type Params<T> = { encoder: T; bEnc: T; decoder: T; bDec: T; logThreshold?: T };
type ParamName = keyof Params<unknown>;
const LINEAR_PARAMS = ['encoder', 'bEnc', 'decoder', 'bDec'] as const;

function paramNames(config: TrainConfig): readonly ParamName[] {
  return config.architecture === 'jumprelu' ? [...LINEAR_PARAMS, 'logThreshold'] : LINEAR_PARAMS;
}

/** Everything needed to continue training, on the host (serialisable). */
export interface TrainState {
  readonly step: number;
  /** JumpReLU adds `logThreshold` [d_sae]. */
  readonly params: Params<Float32Array>;
  readonly m: Params<Float32Array>;
  readonly s: Params<Float32Array>;
  /** Steps since each feature last fired. */
  readonly idle: Int32Array;
  /** Mean squared error per element of the last step (the reconstruction loss). */
  readonly lastLoss: number;
}

export interface TrainProgress {
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  readonly deadFraction: number;
}

export interface TrainOptions {
  readonly resume?: TrainState;
  readonly onProgress?: (p: TrainProgress) => void;
  /** Checked between steps; on abort, `trainDictionary` returns the state so far with `cancelled`. */
  readonly signal?: AbortSignal;
}

export interface TrainResult {
  readonly state: TrainState;
  readonly cancelled: boolean;
}

function shapes(data: TrainData, dSae: number): Required<Params<number[]>> {
  return { encoder: [dSae, data.dIn], bEnc: [dSae], decoder: [dSae, data.dOut], bDec: [data.dOut], logThreshold: [dSae] };
}

/** Seeded initial state. */
export function initialState(data: TrainData, config: TrainConfig): TrainState {
  const { dSae } = config;
  const next = seededRandom(config.seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const decoder = new Float32Array(dSae * data.dOut);
  for (let f = 0; f < dSae; f++) {
    let norm = 0;
    for (let o = 0; o < data.dOut; o++) norm += (decoder[f * data.dOut + o] = gauss()) ** 2;
    for (let o = 0; o < data.dOut; o++) decoder[f * data.dOut + o] /= Math.sqrt(norm);
  }
  const encoder = new Float32Array(dSae * data.dIn);
  if (data.dIn === data.dOut) encoder.set(decoder);
  else for (let i = 0; i < encoder.length; i++) encoder[i] = gauss() / Math.sqrt(data.dIn);
  const targets = data.targets ?? data.inputs;
  const bDec = new Float32Array(data.dOut);
  for (let r = 0; r < data.n; r++) for (let o = 0; o < data.dOut; o++) bDec[o] += targets[r * data.dOut + o] / data.n;
  const jump = config.architecture === 'jumprelu';
  if (jump && !(config.initThreshold > 0)) throw new Error(`initThreshold must be positive (got ${config.initThreshold})`);
  const params: Params<Float32Array> = { encoder, bEnc: new Float32Array(dSae), decoder, bDec };
  if (jump) params.logThreshold = new Float32Array(dSae).fill(Math.log(config.initThreshold));
  const zeros = (): Params<Float32Array> => {
    const z: Params<Float32Array> = { encoder: new Float32Array(encoder.length), bEnc: new Float32Array(dSae), decoder: new Float32Array(decoder.length), bDec: new Float32Array(data.dOut) };
    if (jump) z.logThreshold = new Float32Array(dSae);
    return z;
  };
  return { step: 0, params, m: zeros(), s: zeros(), idle: new Int32Array(dSae), lastLoss: Number.NaN };
}

/** Rows of batch `step`: epochs are seeded permutations, so a resumed run sees the same batches. */
export function batchRows(n: number, batchSize: number, seed: number, step: number): Int32Array {
  const perEpoch = Math.max(1, Math.floor(n / batchSize));
  const epoch = Math.floor(step / perEpoch);
  const next = seededRandom((seed * 1_000_003 + epoch * 7919 + 1) >>> 0);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const start = (step % perEpoch) * batchSize;
  return order.slice(start, start + Math.min(batchSize, n));
}

function gatherRows(src: Float32Array, width: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(src.subarray(r * width, (r + 1) * width), i * width));
  return out;
}

/** One step's forward and backward: the loss gradient at every parameter, the activations and the error recon − target. */
interface StepGradients {
  readonly grads: Params<Tensor>;
  readonly acts: Tensor;
  readonly err: Tensor;
}

interface StepInput {
  readonly params: Params<Tensor>;
  readonly saeIn: Tensor;
  readonly target: Tensor;
  readonly isSae: boolean;
  /** 1 for dead features, else 0 [1, d_sae]; null when none is dead. */
  readonly dead: Tensor | null;
  readonly nDead: number;
  readonly step: number;
}

/** The gradients of the linear maps from dPre (at the pre-activations) and dRecon (at the output). */
function linearGradients(b: Backend, inp: StepInput, dPre: Tensor, dRecon: Tensor, dDecoder: Tensor): Params<Tensor> {
  const { params, saeIn, isSae } = inp;
  return {
    encoder: b.matmul(b.permute(dPre, [1, 0]), saeIn),
    bEnc: b.reshape(b.sum(dPre, 0), [dPre.shape[1]]),
    decoder: dDecoder,
    // b_dec enters the output directly and, for an SAE, the input with a minus sign.
    bDec: b.reshape(b.sum(isSae ? b.sub(dRecon, b.linearTransposed(dPre, params.encoder)) : dRecon, 0), [dRecon.shape[1]]),
  };
}

function topKStep(b: Backend, inp: StepInput, config: TopKTrainConfig): StepGradients {
  const { params, saeIn, target } = inp;
  const [B, dOut] = target.shape;
  const pre = b.linear(saeIn, params.encoder, params.bEnc);
  const acts = b.unary(b.keepTopK(pre, config.k), 'relu');
  const recon = b.add(b.linearTransposed(acts, params.decoder), params.bDec);
  const err = b.sub(recon, target);
  const scale = 2 / (B * dOut);
  const dRecon = b.scale(err, scale);
  let dPre = b.select(acts, b.linear(dRecon, params.decoder), b.fill(acts.shape, 0));
  let dDecoder = b.matmul(b.permute(acts, [1, 0]), dRecon);

  // Auxiliary loss over dead features, toward the residual error e = target − recon.
  if (inp.dead && config.auxCoefficient > 0) {
    const kAux = Math.max(1, Math.min(config.dSae, Math.floor(dOut / 2)));
    const deadPre = b.select(b.expand(inp.dead, pre.shape), pre, b.fill(pre.shape, -1e30));
    const auxActs = b.unary(b.keepTopK(deadPre, Math.min(kAux, inp.nDead)), 'relu');
    const auxRecon = b.linearTransposed(auxActs, params.decoder);
    // d/d auxRecon of coef·mean((auxRecon − e)²), with e = −err held constant.
    const dAux = b.scale(b.add(auxRecon, err), config.auxCoefficient * scale);
    dPre = b.add(dPre, b.select(auxActs, b.linear(dAux, params.decoder), b.fill(auxActs.shape, 0)));
    dDecoder = b.add(dDecoder, b.matmul(b.permute(auxActs, [1, 0]), dAux));
  }
  return { grads: linearGradients(b, inp, dPre, dRecon, dDecoder), acts, err };
}

/** JumpReLU's activations: pre where pre > θ (strict, as SAELens compares), else 0; θ = exp(log θ) [d_sae]. */
export function jumpReLU(b: Backend, pre: Tensor, threshold: Tensor): Tensor {
  return b.select(b.unary(b.sub(pre, threshold), 'relu'), pre, b.fill(pre.shape, 0));
}

/**
 * The straight-through backward of JumpReLU plus the L0 penalty, at pre [B, d_sae]:
 *   dPre = dActs · H(pre − θ)
 *   d log θ_f = θ_f · Σ_rows −(1/ε)·K((pre − θ_f)/ε) · (θ_f·dActs + l0Weight)
 * `dActs` is the loss gradient at the activations and `l0Weight` the weight of each row's
 * H(pre − θ) in the loss (λ/B for λ·mean over rows of the L0).
 */
export function jumpReLUBackward(b: Backend, pre: Tensor, threshold: Tensor, dActs: Tensor, l0Weight: number, bandwidth: number): { dPre: Tensor; dLogThreshold: Tensor } {
  const zero = b.fill(pre.shape, 0);
  const dPre = b.select(b.unary(b.sub(pre, threshold), 'relu'), dActs, zero);
  // K((pre − θ)/ε) = 1 exactly where −ε/2 < pre − θ < ε/2.
  const offset = b.sub(pre, threshold);
  const half = b.fill(pre.shape, bandwidth / 2);
  const aboveLow = b.unary(b.add(offset, half), 'relu');
  const belowHigh = b.unary(b.sub(half, offset), 'relu');
  const kernel = b.select(aboveLow, b.select(belowHigh, b.fill(pre.shape, 1), zero), zero);
  const perRow = b.add(b.mul(dActs, threshold), b.fill(pre.shape, l0Weight));
  const dThreshold = b.scale(b.reshape(b.sum(b.mul(kernel, perRow), 0), threshold.shape), -1 / bandwidth);
  return { dPre, dLogThreshold: b.mul(dThreshold, threshold) };
}

function jumpReLUStep(b: Backend, inp: StepInput, config: JumpReLUTrainConfig): StepGradients {
  const { params, saeIn, target } = inp;
  const B = target.shape[0];
  const threshold = b.unary(params.logThreshold!, 'exp');
  const pre = b.linear(saeIn, params.encoder, params.bEnc);
  const acts = jumpReLU(b, pre, threshold);
  const recon = b.add(b.linearTransposed(acts, params.decoder), params.bDec);
  const err = b.sub(recon, target);
  // ‖recon − target‖² summed over the output, mean over rows (the paper's reconstruction loss).
  const dRecon = b.scale(err, 2 / B);
  const warm = config.l0WarmUpSteps > 0 ? Math.min(1, (inp.step + 1) / config.l0WarmUpSteps) : 1;
  const jump = jumpReLUBackward(b, pre, threshold, b.linear(dRecon, params.decoder), (config.l0Coefficient * warm) / B, config.bandwidth);
  let { dPre, dLogThreshold } = jump;
  if (inp.dead && config.preActCoefficient > 0) {
    // c · mean over rows Σ_dead relu(θ − pre): pulls dead features' pre-activations up to θ (and θ down).
    const below = b.select(b.expand(inp.dead, pre.shape), b.unary(b.unary(b.sub(pre, threshold), 'neg'), 'relu'), b.fill(pre.shape, 0));
    const weight = config.preActCoefficient / B;
    const gate = b.select(below, b.fill(pre.shape, weight), b.fill(pre.shape, 0));
    dPre = b.sub(dPre, gate);
    dLogThreshold = b.add(dLogThreshold, b.mul(b.reshape(b.sum(gate, 0), threshold.shape), threshold));
  }
  const dDecoder = b.matmul(b.permute(acts, [1, 0]), dRecon);
  return { grads: { ...linearGradients(b, inp, dPre, dRecon, dDecoder), logThreshold: dLogThreshold }, acts, err };
}

/** Trains a TopK or JumpReLU dictionary (by `config.architecture`). */
export async function trainDictionary(backend: Backend, data: TrainData, config: TrainConfig, options: TrainOptions = {}): Promise<TrainResult> {
  if (config.architecture !== 'jumprelu' && config.k > config.dSae) throw new Error(`k ${config.k} is larger than d_sae ${config.dSae}`);
  if (config.architecture === 'jumprelu' && !(config.bandwidth > 0)) throw new Error(`bandwidth must be positive (got ${config.bandwidth})`);
  if (data.n < 1) throw new Error('no training rows');
  const names = paramNames(config);
  const isSae = data.targets === undefined;
  const scope = tensorScope(backend);
  const b = scope.backend;
  let state = options.resume ?? initialState(data, config);
  if (names.some((n) => state.params[n] === undefined)) throw new Error(`the state to resume has no ${names.find((n) => !state.params[n])} (trained as another architecture?)`);
  const shape = shapes(data, config.dSae);
  const upload = (p: Params<Float32Array>): Params<Tensor> => {
    const out = {} as Params<Tensor>;
    for (const n of names) out[n] = b.upload(p[n]!, shape[n]);
    return out;
  };
  let params = upload(state.params);
  let m = upload(state.m);
  let s = upload(state.s);
  const idle = Int32Array.from(state.idle);
  let cancelled = false;
  let lastLoss = state.lastLoss;
  try {
    for (let step = state.step; step < config.steps; step++) {
      if (options.signal?.aborted) {
        cancelled = true;
        break;
      }
      const rows = batchRows(data.n, config.batchSize, config.seed, step);
      const B = rows.length;
      const x = b.upload(gatherRows(data.inputs, data.dIn, rows), [B, data.dIn]);
      const target = isSae ? x : b.upload(gatherRows(data.targets!, data.dOut, rows), [B, data.dOut]);
      const dead = Float32Array.from(idle, (v) => (v >= config.deadAfterSteps ? 1 : 0));
      const nDead = dead.reduce((a, v) => a + v, 0);
      const inp: StepInput = {
        params,
        saeIn: isSae ? b.sub(x, params.bDec) : x,
        target,
        isSae,
        dead: nDead > 0 ? b.upload(dead, [1, config.dSae]) : null,
        nDead,
        step,
      };
      const { grads, acts, err } = config.architecture === 'jumprelu' ? jumpReLUStep(b, inp, config) : topKStep(b, inp, config);

      // Adam.
      const t = step + 1;
      const next: Params<Tensor> = { ...params };
      const nextM: Params<Tensor> = { ...m };
      const nextS: Params<Tensor> = { ...s };
      for (const name of names) {
        const g = grads[name]!;
        const flat = [g.shape.reduce((a, v) => a * v, 1), 1];
        nextM[name] = b.add(b.scale(m[name]!, BETA1), b.scale(g, 1 - BETA1));
        const pair = b.concat([b.reshape(b.scale(s[name]!, Math.sqrt(BETA2)), flat), b.reshape(b.scale(g, Math.sqrt(1 - BETA2)), flat)], 1);
        nextS[name] = b.reshape(b.scale(b.normScale(pair, false, 0), Math.SQRT2), g.shape);
        const mHat = b.scale(nextM[name]!, 1 / (1 - BETA1 ** t));
        const sHat = b.scale(nextS[name]!, 1 / Math.sqrt(1 - BETA2 ** t));
        next[name] = b.sub(params[name]!, b.scale(b.div(mHat, b.add(sHat, b.fill(sHat.shape, EPS))), config.lr));
      }
      // Unit decoder rows: ‖row‖ = √d · normScale(row).
      next.decoder = b.normalize(next.decoder, b.scale(b.normScale(next.decoder, false, 0), Math.sqrt(data.dOut)), false);

      const fired = b.sum(b.select(acts, b.fill(acts.shape, 1), b.fill(acts.shape, 0)), 0);
      const sq = b.sum(b.sum(b.mul(err, err), 1), 0);
      const [firedData, sqData] = await backend.read([fired, sq]);
      for (let f = 0; f < config.dSae; f++) idle[f] = firedData[f] > 0 ? 0 : idle[f] + 1;
      lastLoss = sqData[0] / (B * data.dOut);
      params = next;
      m = nextM;
      s = nextS;
      scope.release([...names.map((n) => params[n]!), ...names.map((n) => m[n]!), ...names.map((n) => s[n]!)]);
      options.onProgress?.({
        step: t,
        steps: config.steps,
        loss: lastLoss,
        deadFraction: idle.reduce((a, v) => a + (v >= config.deadAfterSteps ? 1 : 0), 0) / config.dSae,
      });
      state = { ...state, step: t };
    }
    const read = async (p: Params<Tensor>): Promise<Params<Float32Array>> => {
      const values = await backend.read(names.map((n) => p[n]!));
      const out = {} as Params<Float32Array>;
      names.forEach((n, i) => (out[n] = values[i]));
      return out;
    };
    return {
      state: { step: state.step, params: await read(params), m: await read(m), s: await read(s), idle, lastLoss },
      cancelled,
    };
  } finally {
    scope.release();
  }
}

export interface TrainedDictionaryInfo {
  readonly label: string;
  readonly hookIn: string;
  readonly hookOut: string;
  readonly modelName: string | null;
}

/**
 * The trained weights as a SAELens-layout dictionary: `topk` or `jumprelu` (threshold = exp(log θ)),
 * and a transcoder (`jumprelu_transcoder` for JumpReLU) when the hooks differ.
 */
export function trainedDictionary(state: TrainState, data: TrainData, config: TrainConfig, info: TrainedDictionaryInfo): HostDictionary {
  const dSae = state.params.bEnc.length;
  const w = (name: string, shape: number[], values: Float32Array): HostWeight => ({ name, dtype: 'F32', shape, data: values });
  const transcoder = info.hookIn !== info.hookOut;
  const jump = config.architecture === 'jumprelu';
  const logThreshold = state.params.logThreshold;
  if (jump && !logThreshold) throw new Error(`${info.label}: a JumpReLU state needs logThreshold`);
  return {
    config: {
      label: info.label,
      format: 'saelens',
      architecture: jump ? (transcoder ? 'jumprelu_transcoder' : 'jumprelu') : 'topk',
      activation: jump ? 'jumprelu' : 'topk',
      kind: transcoder ? 'transcoder' : 'sae',
      hookIn: info.hookIn,
      hookOut: info.hookOut,
      headIndex: null,
      dIn: data.dIn,
      dSae,
      dOut: data.dOut,
      k: jump ? null : config.k,
      applyBDecToInput: !transcoder,
      normalization: 'none',
      modelName: info.modelName,
    },
    weights: {
      encoder: w('W_enc', [dSae, data.dIn], state.params.encoder),
      bEnc: w('b_enc', [dSae], state.params.bEnc),
      decoder: w('W_dec', [dSae, data.dOut], state.params.decoder),
      bDec: w('b_dec', [data.dOut], state.params.bDec),
      threshold: jump ? w('threshold', [dSae], logThreshold!.map(Math.exp)) : null,
      skip: null,
    },
  };
}
