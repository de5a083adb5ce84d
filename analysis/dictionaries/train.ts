/**
 * Training a TopK sparse autoencoder or TopK per-layer transcoder on activations (Gao et al.
 * 2024, "Scaling and evaluating sparse autoencoders"), written in backend ops so it runs on the
 * CPU and on WebGPU alike:
 *
 *   pre    = (x − b_dec·[SAE]) · W_encᵀ + b_enc;  acts = relu(topk_k(pre))
 *   recon  = acts · W_dec + b_dec;                  loss = mean over elements (recon − target)²
 *   aux    = (1/32) · mean (e − relu(topk_kaux(pre of dead features)) · W_dec)²,  e = target − recon
 *
 * a feature is dead when it has not fired for `deadAfterSteps` steps; the auxiliary loss gives
 * those features gradient toward the residual error. Adam (β = 0.9, 0.999, ε = 1e-8); decoder rows
 * renormalised to unit length after each step. b_dec starts at the mean target, the decoder at
 * random unit rows and the encoder at the decoder's transpose.
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

export interface TrainConfig {
  readonly dSae: number;
  readonly k: number;
  readonly steps: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
  /** Features idle this many steps count as dead for the auxiliary loss. */
  readonly deadAfterSteps: number;
  /** Auxiliary loss weight (1/32 in the paper). */
  readonly auxCoefficient: number;
}

export const DEFAULT_TRAIN: Omit<TrainConfig, 'dSae' | 'k' | 'steps'> = {
  batchSize: 256,
  lr: 2e-3,
  seed: 0,
  deadAfterSteps: 100,
  auxCoefficient: 1 / 32,
};

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;

type Params<T> = { encoder: T; bEnc: T; decoder: T; bDec: T };
const PARAM_NAMES = ['encoder', 'bEnc', 'decoder', 'bDec'] as const;

/** Everything needed to continue training, on the host (serialisable). */
export interface TrainState {
  readonly step: number;
  readonly params: Params<Float32Array>;
  readonly m: Params<Float32Array>;
  readonly s: Params<Float32Array>;
  /** Steps since each feature last fired. */
  readonly idle: Int32Array;
  /** Mean squared error of the last step (the reconstruction loss). */
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
  /** Checked between steps; on abort, `train` returns the state so far with `cancelled`. */
  readonly signal?: AbortSignal;
}

export interface TrainResult {
  readonly state: TrainState;
  readonly cancelled: boolean;
}

function shapes(data: TrainData, dSae: number): Params<number[]> {
  return { encoder: [dSae, data.dIn], bEnc: [dSae], decoder: [dSae, data.dOut], bDec: [data.dOut] };
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
  const params = { encoder, bEnc: new Float32Array(dSae), decoder, bDec };
  const zeros = () => ({
    encoder: new Float32Array(encoder.length),
    bEnc: new Float32Array(dSae),
    decoder: new Float32Array(decoder.length),
    bDec: new Float32Array(data.dOut),
  });
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

export async function trainTopK(backend: Backend, data: TrainData, config: TrainConfig, options: TrainOptions = {}): Promise<TrainResult> {
  if (config.k > config.dSae) throw new Error(`k ${config.k} is larger than d_sae ${config.dSae}`);
  if (data.n < 1) throw new Error('no training rows');
  const isSae = data.targets === undefined;
  const scope = tensorScope(backend);
  const b = scope.backend;
  let state = options.resume ?? initialState(data, config);
  const shape = shapes(data, config.dSae);
  const upload = (p: Params<Float32Array>): Params<Tensor> => ({
    encoder: b.upload(p.encoder, shape.encoder),
    bEnc: b.upload(p.bEnc, shape.bEnc),
    decoder: b.upload(p.decoder, shape.decoder),
    bDec: b.upload(p.bDec, shape.bDec),
  });
  let params = upload(state.params);
  let m = upload(state.m);
  let s = upload(state.s);
  const idle = Int32Array.from(state.idle);
  const kAux = Math.max(1, Math.min(config.dSae, Math.floor(data.dOut / 2)));
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

      // Forward.
      const saeIn = isSae ? b.sub(x, params.bDec) : x;
      const pre = b.linear(saeIn, params.encoder, params.bEnc);
      const acts = b.unary(b.keepTopK(pre, config.k), 'relu');
      const recon = b.add(b.linearTransposed(acts, params.decoder), params.bDec);
      const err = b.sub(recon, target);
      const scale = 2 / (B * data.dOut);
      const dRecon = b.scale(err, scale);
      let dPre = b.select(acts, b.linear(dRecon, params.decoder), b.fill(acts.shape, 0));
      let dDecoder = b.matmul(b.permute(acts, [1, 0]), dRecon);

      // Auxiliary loss over dead features, toward the residual error e = target − recon.
      const dead = Float32Array.from(idle, (v) => (v >= config.deadAfterSteps ? 1 : 0));
      const nDead = dead.reduce((a, v) => a + v, 0);
      if (nDead > 0 && config.auxCoefficient > 0) {
        const deadMask = b.expand(b.upload(dead, [1, config.dSae]), pre.shape);
        const deadPre = b.select(deadMask, pre, b.fill(pre.shape, -1e30));
        const auxActs = b.unary(b.keepTopK(deadPre, Math.min(kAux, nDead)), 'relu');
        const auxRecon = b.linearTransposed(auxActs, params.decoder);
        // d/d auxRecon of coef·mean((auxRecon − e)²), with e = −err held constant.
        const dAux = b.scale(b.add(auxRecon, err), config.auxCoefficient * scale);
        dPre = b.add(dPre, b.select(auxActs, b.linear(dAux, params.decoder), b.fill(auxActs.shape, 0)));
        dDecoder = b.add(dDecoder, b.matmul(b.permute(auxActs, [1, 0]), dAux));
      }
      const grads: Params<Tensor> = {
        encoder: b.matmul(b.permute(dPre, [1, 0]), saeIn),
        bEnc: b.reshape(b.sum(dPre, 0), [config.dSae]),
        decoder: dDecoder,
        // b_dec enters the output directly and, for an SAE, the input with a minus sign.
        bDec: b.reshape(b.sum(isSae ? b.sub(dRecon, b.linearTransposed(dPre, params.encoder)) : dRecon, 0), [data.dOut]),
      };

      // Adam.
      const t = step + 1;
      const next: Params<Tensor> = { ...params };
      const nextM: Params<Tensor> = { ...m };
      const nextS: Params<Tensor> = { ...s };
      for (const name of PARAM_NAMES) {
        const g = grads[name];
        const flat = [g.shape.reduce((a, v) => a * v, 1), 1];
        nextM[name] = b.add(b.scale(m[name], BETA1), b.scale(g, 1 - BETA1));
        const pair = b.concat([b.reshape(b.scale(s[name], Math.sqrt(BETA2)), flat), b.reshape(b.scale(g, Math.sqrt(1 - BETA2)), flat)], 1);
        nextS[name] = b.reshape(b.scale(b.normScale(pair, false, 0), Math.SQRT2), g.shape);
        const mHat = b.scale(nextM[name], 1 / (1 - BETA1 ** t));
        const sHat = b.scale(nextS[name], 1 / Math.sqrt(1 - BETA2 ** t));
        next[name] = b.sub(params[name], b.scale(b.div(mHat, b.add(sHat, b.fill(sHat.shape, EPS))), config.lr));
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
      scope.release([...Object.values(params), ...Object.values(m), ...Object.values(s)]);
      options.onProgress?.({
        step: t,
        steps: config.steps,
        loss: lastLoss,
        deadFraction: idle.reduce((a, v) => a + (v >= config.deadAfterSteps ? 1 : 0), 0) / config.dSae,
      });
      state = { ...state, step: t };
    }
    const read = async (p: Params<Tensor>): Promise<Params<Float32Array>> => {
      const [encoder, bEnc, decoder, bDec] = await backend.read(PARAM_NAMES.map((n) => p[n]));
      return { encoder, bEnc, decoder, bDec };
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
  readonly k: number;
  readonly modelName: string | null;
}

/** The trained weights as a SAELens-layout dictionary (topk, or transcoder when the hooks differ). */
export function trainedDictionary(state: TrainState, data: TrainData, info: TrainedDictionaryInfo): HostDictionary {
  const dSae = state.params.bEnc.length;
  const w = (name: string, shape: number[], values: Float32Array): HostWeight => ({ name, dtype: 'F32', shape, data: values });
  const transcoder = info.hookIn !== info.hookOut;
  return {
    config: {
      label: info.label,
      format: 'saelens',
      architecture: 'topk',
      activation: 'topk',
      kind: transcoder ? 'transcoder' : 'sae',
      hookIn: info.hookIn,
      hookOut: info.hookOut,
      headIndex: null,
      dIn: data.dIn,
      dSae,
      dOut: data.dOut,
      k: info.k,
      applyBDecToInput: !transcoder,
      normalization: 'none',
      modelName: info.modelName,
    },
    weights: {
      encoder: w('W_enc', [dSae, data.dIn], state.params.encoder),
      bEnc: w('b_enc', [dSae], state.params.bEnc),
      decoder: w('W_dec', [dSae, data.dOut], state.params.decoder),
      bDec: w('b_dec', [data.dOut], state.params.bDec),
      threshold: null,
      skip: null,
    },
  };
}
