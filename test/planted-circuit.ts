/**
 * A two-layer attention-only transformer whose induction circuit is set by hand, for testing
 * circuit-finding methods against a known answer (head scores, patching, path patching).
 *
 * Architecture: a `gpt2`-type spec (learned positions, LayerNorm, untied unembedding) with every
 * MLP weight 0 and LayerNorm gains 1, biases 0. Every vector written into the residual stream
 * lies in an orthonormal basis orthogonal to the all-ones vector, so LayerNorm's centring is the
 * identity and LayerNorm(x) = x · √d / ‖x‖: a positive scale, known at construction because the
 * residual norm is (1 per component). Weights divide it out. Basis vectors:
 *   tok[t]   token identity, W_E[t] = tok[t]                           (dVocab vectors)
 *   prev[t]  "the previous token was t", written by the previous-token head (dVocab)
 *   out[t]   "predict t", written by the induction head, read by W_U     (dVocab)
 *   posA, posB  two planes holding position i at angles i·θA, i·θB (θA = π/nCtx, θB = π/4),
 *   first, notFirst  one of them set at each position (first only at position 0).
 *
 * Layer 0, head PREVIOUS_TOKEN.head: query = position rotated back by one step in each plane,
 *   key = position, so score(i, j) = βA cos((i−1−j)θA) + βB cos((i−1−j)θB): peaked at j = i−1
 *   (the slow plane keeps the fast plane's period of 8 from aliasing). OV: tok[t] → prev[t].
 * Layer 1, head INDUCTION.head: query reads tok (the current token), key reads prev (the token
 *   before the key position): it attends where the previous token equals the current token, i.e.
 *   to the token after the earlier occurrence. A bias query dimension times the key's `first`
 *   component keeps it off position 0 (whose "previous token" is itself). OV: tok[t] → out[t].
 * W_U[t] = κ · out[t], so the induction head's copy is the prediction (logit gap ≈ LOGIT_GAP).
 * Other heads: small random weights (std `otherHeadStd`), nearly uniform attention, tiny outputs.
 *
 * Model shape: 2 layers, 4 heads, dHead = dVocab + 8, dModel = 3·dVocab + 8, dMlp 4 (all zero).
 */
import type { Backend, HostWeight } from '../gpu/backend.ts';
import { createCpuBackend } from '../gpu/cpu/backend.ts';
import type { Model } from '../analysis/model/model.ts';
import { modelOnBackend } from '../analysis/model/model.ts';
import { gaussian, smallSpec } from '../analysis/model/random.ts';
import type { ModelSpec } from '../analysis/model/spec.ts';
import type { BlockWeights, ModelWeights } from '../analysis/model/weights.ts';
import type { HeadLocation } from '../analysis/methods/head-location.ts';

export interface PlantedCircuitOptions {
  /** Vocabulary size (default 128); every token has its own orthogonal directions. */
  readonly dVocab?: number;
  /** Context length (default 64). */
  readonly nCtx?: number;
  /** Std of the random weights of the other heads (default 0.003). */
  readonly otherHeadStd?: number;
  readonly seed?: number;
}

export interface PlantedCircuit {
  readonly model: Model;
  readonly previousTokenHead: HeadLocation;
  readonly inductionHead: HeadLocation;
}

export const PREVIOUS_TOKEN: HeadLocation = { layer: 0, head: 1 };
export const INDUCTION: HeadLocation = { layer: 1, head: 2 };
/** Induction head's logit for the copied token over all others. */
export const LOGIT_GAP = 15;
const PREV_SLOW = 200; // βA: orders keys globally (no aliasing within nCtx)
const PREV_FAST = 60; // βB: separates j = i−1 from its neighbours by ≥ 15 nats
const INDUCTION_MATCH = 24; // score of a key whose previous token is the current token
const FIRST_PENALTY = 60; // score subtracted at key position 0

/** `n` orthonormal vectors of R^d orthogonal to the all-ones vector (Gram–Schmidt, float64). */
function zeroMeanBasis(n: number, d: number, seed: number): Float64Array[] {
  if (n > d - 1) throw new Error(`planted circuit: ${n} basis vectors do not fit in d_model ${d} (minus the ones direction)`);
  const normal = gaussian(seed);
  const ones = new Float64Array(d).fill(1 / Math.sqrt(d));
  const done: Float64Array[] = [ones];
  while (done.length < n + 1) {
    const v = Float64Array.from({ length: d }, () => normal());
    for (let pass = 0; pass < 2; pass++) {
      for (const u of done) {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += v[i] * u[i];
        for (let i = 0; i < d; i++) v[i] -= dot * u[i];
      }
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < d; i++) v[i] /= norm;
    done.push(v);
  }
  return done.slice(1);
}

/** A dense [rows, cols] matrix builder in the canonical [out, in] layout. */
class Matrix {
  readonly data: Float32Array;
  constructor(
    readonly rows: number,
    readonly cols: number,
  ) {
    this.data = new Float32Array(rows * cols);
  }
  /** row r += scale · v (v has `cols` entries). */
  addRow(r: number, v: Float64Array, scale: number): void {
    for (let c = 0; c < this.cols; c++) this.data[r * this.cols + c] += scale * v[c];
  }
  /** column c += scale · v (v has `rows` entries). */
  addColumn(c: number, v: Float64Array, scale: number): void {
    for (let r = 0; r < this.rows; r++) this.data[r * this.cols + c] += scale * v[r];
  }
  fillRandom(rowStart: number, rowEnd: number, colStart: number, colEnd: number, normal: () => number, std: number): void {
    for (let r = rowStart; r < rowEnd; r++) for (let c = colStart; c < colEnd; c++) this.data[r * this.cols + c] = std * normal();
  }
  weight(name: string): HostWeight {
    return { name, dtype: 'F32', shape: [this.rows, this.cols], data: this.data };
  }
}

export function plantedCircuitSpec(dVocab = 128, nCtx = 64): ModelSpec {
  return smallSpec('gpt2', {
    nLayers: 2,
    nHeads: 4,
    nKvHeads: 4,
    dHead: dVocab + 8,
    dModel: 3 * dVocab + 8,
    dMlp: 4,
    dVocab,
    nCtx,
    tiedEmbeddings: false,
  });
}

export function plantedCircuit(options: PlantedCircuitOptions = {}, backend: Backend = createCpuBackend()): PlantedCircuit {
  const spec = plantedCircuitSpec(options.dVocab ?? 128, options.nCtx ?? 64);
  const { dModel: d, dHead: dh, nHeads: H, dVocab: V, nCtx, dMlp } = spec;
  const seed = options.seed ?? 0;
  const basis = zeroMeanBasis(3 * V + 6, d, seed);
  const tok = basis.slice(0, V);
  const prev = basis.slice(V, 2 * V);
  const out = basis.slice(2 * V, 3 * V);
  const [aCos, aSin, bCos, bSin, first, notFirst] = basis.slice(3 * V);
  const thetaA = Math.PI / nCtx;
  const thetaB = Math.PI / 4;
  // ‖P[i]‖² = 1 at every position: ¼ per plane, ½ in `first` (i = 0) or `notFirst` (i > 0), so
  // LayerNorm scales position 0 like every other position.
  const amp = 0.5;

  // LayerNorm(x) = x · s with s = √d / ‖x‖; residual norms: layer 0 √2 (tok + pos), layer 1 √3
  // (+ prev), final √4 (+ out).
  const s0 = Math.sqrt(d / 2);
  const s1 = Math.sqrt(d / 3);
  const s2 = Math.sqrt(d / 4);

  const embed = new Matrix(V, d);
  tok.forEach((v, t) => embed.addRow(t, v, 1));
  const posEmbed = new Matrix(nCtx, d);
  for (let i = 0; i < nCtx; i++) {
    posEmbed.addRow(i, aCos, amp * Math.cos(i * thetaA));
    posEmbed.addRow(i, aSin, amp * Math.sin(i * thetaA));
    posEmbed.addRow(i, bCos, amp * Math.cos(i * thetaB));
    posEmbed.addRow(i, bSin, amp * Math.sin(i * thetaB));
    posEmbed.addRow(i, i === 0 ? first : notFirst, Math.SQRT1_2);
  }

  const normal = gaussian(seed + 1);
  const std = options.otherHeadStd ?? 0.003;
  const layer = (planted: number) => {
    const m = { wQ: new Matrix(H * dh, d), wK: new Matrix(H * dh, d), wV: new Matrix(H * dh, d), wO: new Matrix(d, H * dh) };
    for (let h = 0; h < H; h++) {
      if (h === planted) continue;
      for (const w of [m.wQ, m.wK, m.wV]) w.fillRandom(h * dh, (h + 1) * dh, 0, d, normal, std);
      m.wO.fillRandom(0, d, h * dh, (h + 1) * dh, normal, std);
    }
    return m;
  };

  // Layer 0: previous-token head. Scores are q·k/√dh; q and k read plane coordinates of x.
  const l0 = layer(PREVIOUS_TOKEN.head);
  const p0 = PREVIOUS_TOKEN.head * dh;
  const planes: [Float64Array, Float64Array, number, number][] = [[aCos, aSin, thetaA, PREV_SLOW], [bCos, bSin, thetaB, PREV_FAST]];
  planes.forEach(([cos, sin, theta, beta], k) => {
    const gain = (beta * Math.sqrt(dh)) / (amp * amp) / s0;
    // q = R(−θ)·(c, s): (c cosθ + s sinθ, −c sinθ + s cosθ), i.e. position i−1's angle.
    l0.wQ.addRow(p0 + 2 * k, cos, gain * Math.cos(theta));
    l0.wQ.addRow(p0 + 2 * k, sin, gain * Math.sin(theta));
    l0.wQ.addRow(p0 + 2 * k + 1, cos, -gain * Math.sin(theta));
    l0.wQ.addRow(p0 + 2 * k + 1, sin, gain * Math.cos(theta));
    l0.wK.addRow(p0 + 2 * k, cos, 1 / s0);
    l0.wK.addRow(p0 + 2 * k + 1, sin, 1 / s0);
  });
  for (let t = 0; t < V; t++) {
    l0.wV.addRow(p0 + t, tok[t], 1 / s0);
    l0.wO.addColumn(p0 + t, prev[t], 1);
  }

  // Layer 1: induction head. Query dimension t: "current token is t"; key dimension t:
  // "previous token was t"; dimension V: constant query (bias) × −first at the key.
  const l1 = layer(INDUCTION.head);
  const p1 = INDUCTION.head * dh;
  const match = INDUCTION_MATCH * Math.sqrt(dh);
  for (let t = 0; t < V; t++) {
    l1.wQ.addRow(p1 + t, tok[t], match / s1);
    l1.wK.addRow(p1 + t, prev[t], 1 / s1);
    l1.wV.addRow(p1 + t, tok[t], 1 / s1);
    l1.wO.addColumn(p1 + t, out[t], 1);
  }
  l1.wK.addRow(p1 + V, first, -Math.SQRT2 / s1);
  const bQ1 = new Float32Array(H * dh);
  bQ1[p1 + V] = FIRST_PENALTY * Math.sqrt(dh);

  const unembed = new Matrix(V, d);
  out.forEach((v, t) => unembed.addRow(t, v, LOGIT_GAP / s2));

  const vec = (name: string, n: number, value = 0): HostWeight => ({ name, dtype: 'F32', shape: [n], data: new Float32Array(n).fill(value) });
  const blocks: BlockWeights<HostWeight>[] = [l0, l1].map((m, l) => ({
    ln1: { w: vec(`blocks.${l}.ln1.w`, d, 1) },
    ln2: { w: vec(`blocks.${l}.ln2.w`, d, 1) },
    attn: {
      wQ: m.wQ.weight(`blocks.${l}.wQ`),
      bQ: l === 1 ? { name: 'blocks.1.bQ', dtype: 'F32', shape: [H * dh], data: bQ1 } : undefined,
      wK: m.wK.weight(`blocks.${l}.wK`),
      wV: m.wV.weight(`blocks.${l}.wV`),
      wO: m.wO.weight(`blocks.${l}.wO`),
    },
    mlp: { wIn: new Matrix(dMlp, d).weight(`blocks.${l}.wIn`), wOut: new Matrix(d, dMlp).weight(`blocks.${l}.wOut`) },
  }));
  const weights: ModelWeights<HostWeight> = {
    embed: embed.weight('embed'),
    posEmbed: posEmbed.weight('posEmbed'),
    blocks,
    lnFinal: { w: vec('lnFinal.w', d, 1) },
    unembed: unembed.weight('unembed'),
  };
  const model = modelOnBackend({ label: 'planted-circuit', spec, weights, tokenizer: null }, backend);
  return { model, previousTokenHead: PREVIOUS_TOKEN, inductionHead: INDUCTION };
}
