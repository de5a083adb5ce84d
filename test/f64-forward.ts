/**
 * Test-only float64 reference forward of the four architectures (GPT-2, GPT-NeoX with partial
 * rotary and parallel residual, Llama/Qwen2 with GQA and SwiGLU), written from the HF semantics
 * in test/fixtures/README.md with plain loops, independent of the engine and the backends. Every
 * hook point of analysis/hooks/points.ts is offered to `onHook`, which may replace the value
 * (finite differences perturb one entry; tests apply interventions). Batch of one; hook values
 * are flat row-major with the engine's shapes (batch axis of size 1 included).
 */
import type { HostWeight } from '../gpu/backend.ts';
import { unaryScalar } from '../gpu/cpu/backend.ts';
import { toFloat32 } from '../gpu/dtype.ts';
import { hook } from '../analysis/hooks/points.ts';
import type { ModelSpec } from '../analysis/model/spec.ts';
import type { ModelWeights, NormWeights } from '../analysis/model/weights.ts';
import { preNorm } from '../analysis/model/weights.ts';

export type OnHook = (name: string, x: Float64Array, shape: readonly number[]) => Float64Array | void;

type W = Float64Array<ArrayBufferLike>;
const converted = new WeakMap<HostWeight, W>();
/** Weights upcast once (finite differences call the forward thousands of times). */
function f64(w: HostWeight): W {
  let out = converted.get(w);
  if (!out) converted.set(w, (out = Float64Array.from(toFloat32(w))));
  return out;
}
const opt = (w: HostWeight | undefined): W | undefined => (w ? f64(w) : undefined);

/** x [rows, nIn] · Wᵀ (W [nOut, nIn]) + b. */
function linear(x: W, rows: number, w: W, nOut: number, b?: W): W {
  const nIn = x.length / rows;
  const out = new Float64Array(rows * nOut);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < nOut; o++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < nIn; i++) s += x[r * nIn + i] * w[o * nIn + i];
      out[r * nOut + o] = s;
    }
  }
  return out;
}

/** Explicit rotary frequencies (RoPE scaling) for every layer: invFreq[j] replaces theta^(−2j/rotaryDims); cos and sin × amplitude. */
export interface RopeOverride {
  readonly invFreq: readonly number[];
  readonly amplitude: number;
}

export function forward64(spec: ModelSpec, weights: ModelWeights<HostWeight>, ids: readonly number[], onHook: OnHook = () => {}, ropeOverride?: RopeOverride): Float64Array {
  const S = ids.length;
  const { dModel: d, nHeads: H, nKvHeads: Hkv, dHead: dh, dMlp: N, dVocab: V } = spec;
  const at = (name: string, x: W, shape: number[]): W => onHook(name, x, shape) ?? x;
  const resid = [1, S, d];
  const layerNorm = spec.normalization === 'layernorm';

  const norm = (x: W, nw: NormWeights<HostWeight>, scaleHook: string, normHook: string): W => {
    let scale: W = new Float64Array(S);
    const unit = new Float64Array(S * d);
    for (let p = 0; p < S; p++) {
      let mu = 0;
      if (layerNorm) for (let i = 0; i < d; i++) mu += x[p * d + i] / d;
      let ss = 0;
      for (let i = 0; i < d; i++) ss += (x[p * d + i] - mu) ** 2;
      scale[p] = Math.sqrt(ss / d + spec.normEps);
    }
    scale = at(scaleHook, scale, [1, S, 1]);
    for (let p = 0; p < S; p++) {
      let mu = 0;
      if (layerNorm) for (let i = 0; i < d; i++) mu += x[p * d + i] / d;
      for (let i = 0; i < d; i++) unit[p * d + i] = (x[p * d + i] - mu) / scale[p];
    }
    const w = f64(nw.w);
    const b = opt(nw.b);
    if (layerNorm) return at(normHook, unit.map((v, j) => v * w[j % d] + (b ? b[j % d] : 0)), resid);
    return at(normHook, unit, resid).map((v, j) => v * w[j % d]);
  };

  const rope = (x: W, heads: number): W => {
    const out = Float64Array.from(x);
    const half = spec.rotaryDims / 2;
    for (let p = 0; p < S; p++) {
      for (let j = 0; j < half; j++) {
        const angle = p * (ropeOverride?.invFreq[j] ?? Math.fround(1 / Math.pow(spec.ropeTheta, (2 * j) / spec.rotaryDims)));
        const amplitude = ropeOverride?.amplitude ?? 1;
        const [c, s] = [amplitude * Math.cos(angle), amplitude * Math.sin(angle)];
        for (let h = 0; h < heads; h++) {
          const o = (p * heads + h) * dh;
          out[o + j] = x[o + j] * c - x[o + j + half] * s;
          out[o + j + half] = x[o + j + half] * c + x[o + j] * s;
        }
      }
    }
    return out;
  };

  let x: W;
  {
    const E = f64(weights.embed);
    x = at(hook.embed, Float64Array.from({ length: S * d }, (_, j) => E[ids[Math.floor(j / d)] * d + (j % d)]), resid);
    if (spec.positional === 'learned') {
      const P = f64(weights.posEmbed!);
      const pos = at(hook.posEmbed, Float64Array.from({ length: S * d }, (_, j) => P[j]), resid);
      x = x.map((v, j) => v + pos[j]);
    }
  }
  for (let l = 0; l < spec.nLayers; l++) {
    const bw = weights.blocks[l];
    x = at(hook.residPre(l), x, resid);
    const a = norm(x, preNorm(bw, 1, l), hook.lnScale(l, 1), hook.lnNormalized(l, 1));
    let q = at(hook.q(l), linear(a, S, f64(bw.attn.wQ), H * dh, opt(bw.attn.bQ)), [1, S, H, dh]);
    let k = at(hook.k(l), linear(a, S, f64(bw.attn.wK), Hkv * dh, opt(bw.attn.bK)), [1, S, Hkv, dh]);
    const v = at(hook.v(l), linear(a, S, f64(bw.attn.wV), Hkv * dh, opt(bw.attn.bV)), [1, S, Hkv, dh]);
    if (spec.positional === 'rotary') {
      q = at(hook.rotQ(l), rope(q, H), [1, S, H, dh]);
      k = at(hook.rotK(l), rope(k, Hkv), [1, S, Hkv, dh]);
    }
    const group = H / Hkv;
    let scores: W = new Float64Array(H * S * S);
    for (let h = 0; h < H; h++) {
      const kh = Math.floor(h / group);
      for (let i = 0; i < S; i++) {
        for (let j = 0; j < S; j++) {
          let s = 0;
          for (let c = 0; c < dh; c++) s += q[(i * H + h) * dh + c] * k[(j * Hkv + kh) * dh + c];
          scores[(h * S + i) * S + j] = j <= i ? s / Math.sqrt(dh) : -Infinity;
        }
      }
    }
    scores = at(hook.attnScores(l), scores, [1, H, S, S]);
    let pattern: W = new Float64Array(H * S * S);
    for (let r = 0; r < H * S; r++) {
      const row = scores.subarray(r * S, (r + 1) * S);
      const max = Math.max(...row);
      const e = Array.from(row, (s) => Math.exp(s - max));
      const sum = e.reduce((u, t) => u + t, 0);
      e.forEach((t, j) => (pattern[r * S + j] = t / sum));
    }
    pattern = at(hook.pattern(l), pattern, [1, H, S, S]);
    let z: W = new Float64Array(S * H * dh);
    for (let h = 0; h < H; h++) {
      const kh = Math.floor(h / group);
      for (let i = 0; i < S; i++) {
        for (let j = 0; j < S; j++) {
          const p = pattern[(h * S + i) * S + j];
          for (let c = 0; c < dh; c++) z[(i * H + h) * dh + c] += p * v[(j * Hkv + kh) * dh + c];
        }
      }
    }
    z = at(hook.z(l), z, [1, S, H, dh]);
    const wO = f64(bw.attn.wO);
    let result: W = new Float64Array(S * H * d);
    for (let p = 0; p < S; p++) {
      for (let h = 0; h < H; h++) {
        for (let o = 0; o < d; o++) {
          let s = 0;
          for (let c = 0; c < dh; c++) s += z[(p * H + h) * dh + c] * wO[o * H * dh + h * dh + c];
          result[(p * H + h) * d + o] = s;
        }
      }
    }
    result = at(hook.result(l), result, [1, S, H, d]);
    const bO = opt(bw.attn.bO);
    const attnOut = at(hook.attnOut(l), Float64Array.from({ length: S * d }, (_, j) => {
      const [p, o] = [Math.floor(j / d), j % d];
      let s = bO ? bO[o] : 0;
      for (let h = 0; h < H; h++) s += result[(p * H + h) * d + o];
      return s;
    }), resid);
    const mlp = (m: W): W => {
      let post: W;
      if (spec.gatedMlp) {
        const gate = at(hook.mlpPre(l), linear(m, S, f64(bw.mlp.wGate!), N), [1, S, N]);
        const up = at(hook.mlpPreLinear(l), linear(m, S, f64(bw.mlp.wIn), N, opt(bw.mlp.bIn)), [1, S, N]);
        post = gate.map((g, j) => unaryScalar(spec.activation, g) * up[j]);
      } else {
        const pre = at(hook.mlpPre(l), linear(m, S, f64(bw.mlp.wIn), N, opt(bw.mlp.bIn)), [1, S, N]);
        post = pre.map((g) => unaryScalar(spec.activation, g));
      }
      post = at(hook.mlpPost(l), post, [1, S, N]);
      return at(hook.mlpOut(l), linear(post, S, f64(bw.mlp.wOut), d, opt(bw.mlp.bOut)), resid);
    };
    if (spec.parallelResidual) {
      const m = mlp(norm(x, preNorm(bw, 2, l), hook.lnScale(l, 2), hook.lnNormalized(l, 2)));
      x = x.map((u, j) => u + attnOut[j] + m[j]);
    } else {
      const mid = at(hook.residMid(l), x.map((u, j) => u + attnOut[j]), resid);
      const m = mlp(norm(mid, preNorm(bw, 2, l), hook.lnScale(l, 2), hook.lnNormalized(l, 2)));
      x = mid.map((u, j) => u + m[j]);
    }
    x = at(hook.residPost(l), x, resid);
  }
  const normed = norm(x, weights.lnFinal, hook.lnFinalScale, hook.lnFinalNormalized);
  return linear(normed, S, f64(weights.unembed), V, opt(weights.bUnembed));
}
