/**
 * Linearised forward passes over a tape recorded at x0 (batch 1), for B rows of input at once:
 *
 * - secant replay (lin = FROZEN, affine): the forward with every nonlinearity's action at x0
 *   frozen — norms divide by the recorded scale (LayerNorm keeps its linear centring), attention
 *   mixes v(u) with the recorded pattern, MLPs multiply by the recorded gain act(z0)/z0 (gated:
 *   the recorded gate act(gate0)). Affine in the input u; equal to the real forward at u = x0.
 * - tangent (lin = LIVE, not affine): the Jacobian-vector product J·du of the real network at x0
 *   (norm Jacobians with the scale's dependence, softmax Jacobian with dS = dq·k0 + q0·dk,
 *   act'(z0), SwiGLU product rule). Linear in du; no biases.
 *
 * u (or du) stands in for a residual-stream hook: blocks.l.hook_resid_pre, _mid or _post.
 * Also returns each component's output at one position (the start stream, every head's result
 * z_h·W_O_h, every MLP's output), which add up to the final stream there (with b_O in affine mode).
 */
import type { Tensor } from '../../gpu/backend.ts';
import { hook } from '../hooks/points.ts';
import type { ModelSpec } from '../model/spec.ts';
import { attentionScale } from '../model/attention.ts';
import { layerRope } from '../model/rope.ts';
import { layerAttention } from '../model/spec.ts';
import type { NormWeights } from '../model/weights.ts';
import type { Linearisation } from './linearisation.ts';
import { allKeys, centre, rowsOf, secantGain, softcapSecantGain } from './linearisation.ts';
import type { Tape } from './tape.ts';

/** Where a linearised pass starts: the residual stream before, inside or after block `layer`. */
export interface ResidStart {
  readonly hook: string;
  readonly layer: number;
  readonly at: 'pre' | 'mid' | 'post';
}

/** Parses blocks.{l}.hook_resid_pre|mid|post; names what is expected otherwise. */
export function residStart(spec: ModelSpec, name: string): ResidStart {
  const m = /^blocks\.(\d+)\.hook_resid_(pre|mid|post)$/.exec(name);
  const layer = m ? Number(m[1]) : -1;
  if (!m || layer >= spec.nLayers) {
    throw new Error(`start hook "${name}": expected a residual-stream hook blocks.L.hook_resid_pre|mid|post with L in [0, ${spec.nLayers})`);
  }
  if (m[2] === 'mid' && spec.parallelResidual) {
    throw new Error(`start hook "${name}": parallel-residual blocks have no resid_mid; start at hook_resid_pre or hook_resid_post`);
  }
  return { hook: name, layer, at: m[2] as ResidStart['at'] };
}

export interface LinearPassRequest {
  readonly tape: Tape;
  readonly start: ResidStart;
  /** [rows, pos, dModel] the stream at the start hook (secant: u; tangent: du). */
  readonly input: Tensor;
  readonly lin: Linearisation;
  /** Include every bias (the secant replay); false for the tangent map. */
  readonly affine: boolean;
  /** Position whose per-component outputs to return; null for none. */
  readonly componentsAt: number | null;
}

export interface PassComponents {
  /** [rows, 1, dModel] the start stream at the position. */
  readonly input: Tensor;
  /** Per layer from the start: [rows, 1, head, dModel] each head's z_h·W_O_h; null for a block whose attention precedes the start. */
  readonly heads: (Tensor | null)[];
  /** Per layer from the start: [rows, 1, dModel] the MLP output (with b_out in affine mode). */
  readonly mlps: Tensor[];
  /** Layers of `heads` / `mlps`. */
  readonly layers: number[];
}

export interface LinearPassOutput {
  /** [rows, pos, dModel] the final residual stream (before ln_final). */
  readonly resid: Tensor;
  readonly components: PassComponents | null;
}

export class LinearPass {
  private readonly b;
  private readonly spec;
  private readonly rows: number;
  private readonly pos: number;
  private readonly positions: Int32Array;
  private readonly expanded = new Map<string, Tensor>();

  constructor(
    private readonly tape: Tape,
    private readonly lin: Linearisation,
    private readonly affine: boolean,
    rows: number,
  ) {
    if (tape.tokens.batch !== 1) throw new Error('a linearised pass needs a tape of one sequence');
    if (affine && (lin.norms === 'live' || lin.attention === 'live' || lin.gains === 'live')) {
      throw new Error('internal: the affine (secant) replay freezes every nonlinearity');
    }
    this.b = tape.backend;
    this.spec = tape.model.spec;
    this.rows = rows;
    this.pos = tape.tokens.pos;
    // Position ids of every row (rotary on tangent q/k).
    this.positions = Int32Array.from({ length: rows * this.pos }, (_, i) => tape.tokens.positions[i % this.pos]);
  }

  /** A tape value, or something computed from it, broadcast to the pass's rows (made once per key). */
  private x0(name: string, derived?: { key: string; make: (t: Tensor) => Tensor }): Tensor {
    const key = derived ? `${name}#${derived.key}` : name;
    let t = this.expanded.get(key);
    if (!t) {
      const v = this.tape.value(name);
      t = rowsOf(this.b, derived ? derived.make(v) : v, this.rows);
      this.expanded.set(key, t);
    }
    return t;
  }

  private bias(t: Tensor | undefined): Tensor | undefined {
    return this.affine ? t : undefined;
  }

  /**
   * The norm at `scale` applied to u; `input` names the norm's input at x0 (for its Jacobian), or
   * `{ normalized }` the hook holding x0/s directly (RMSNorms whose input is not a hook: post
   * norms, q/k norms).
   */
  norm(u: Tensor, w: NormWeights<Tensor>, scale: string, input: string | { readonly normalized: string }): Tensor {
    const { b } = this;
    const layerNorm = this.spec.normalization === 'layernorm';
    const s = this.x0(scale);
    const n0 = () => (typeof input === 'string' ? b.normalize(this.x0(input), s, layerNorm) : this.x0(input.normalized));
    return this.normWith(u, w, s, this.lin.norms === 'live' ? n0() : null);
  }

  /** Frozen (n0 null) or tangent norm of u with scale s and x0's unit vector n0, same shapes as u. */
  private normWith(u: Tensor, w: NormWeights<Tensor>, s: Tensor, n0: Tensor | null): Tensor {
    const { b } = this;
    const uc = this.spec.normalization === 'layernorm' ? centre(b, u) : u;
    // s² = mean(C(x)²) + ε gives ds = mean(n0 ⊙ C(dx)), so d(C(x)/s) = (C(dx) − n0·mean(n0 ⊙ C(dx))) / s0.
    const n = n0 === null ? b.div(uc, s) : b.div(b.sub(uc, b.mul(n0, b.mean(b.mul(n0, uc), u.shape.length - 1))), s);
    const out = b.mul(n, w.w);
    const beta = this.bias(w.b);
    return beta ? b.add(out, beta) : out;
  }

  /** A post-sublayer norm (Gemma, OLMo-2) on the stream-shaped output `out` [rows, pos, dModel]. */
  private postNorm(out: Tensor, w: NormWeights<Tensor>, l: number, which: 1 | 2): Tensor {
    return this.norm(out, w, hook.lnPostScale(l, which), { normalized: hook.lnPostNormalized(l, which) });
  }

  /** The same post norm on per-head writes [rows, 1, head, dModel] at position `at`. */
  private postNormHeads(heads: Tensor, w: NormWeights<Tensor>, l: number, at: number): Tensor {
    const { b } = this;
    const [rows, , H, d] = heads.shape;
    const perHead = (t: Tensor, width: number) => b.expand(b.slice(t, 1, at, at + 1), [rows, H, width]);
    const s = perHead(this.x0(hook.lnPostScale(l, 1)), 1);
    const n0 = this.lin.norms === 'live' ? perHead(this.x0(hook.lnPostNormalized(l, 1)), d) : null;
    return b.reshape(this.normWith(b.reshape(heads, [rows, H, d]), w, s, n0), heads.shape);
  }

  /** A q/k norm (tangent mode) on a raw projection [rows, pos, heads, dHead]. */
  private qkNorm(t: Tensor, w: NormWeights<Tensor>, l: number, which: 'q' | 'k'): Tensor {
    const { b } = this;
    const scale = hook.qkNormScale(l, which);
    const normalized = { normalized: hook.qkNormNormalized(l, which) };
    if (this.spec.qkNorm === 'head') return this.norm(t, w, scale, normalized);
    const [rows, pos, heads, dHead] = t.shape;
    return b.reshape(this.norm(b.reshape(t, [rows, pos, heads * dHead]), w, scale, normalized), t.shape);
  }

  attention(l: number, a: Tensor, at: number | null): { out: Tensor; heads: Tensor | null } {
    const { b, spec, rows, pos } = this;
    const w = this.tape.model.weights.blocks[l].attn;
    const { nHeads: H, nKvHeads: Hkv, dHead: dh } = spec;
    const v = b.reshape(b.linear(a, w.wV, this.bias(w.bV)), [rows, pos, Hkv, dh]);
    const P0 = this.x0(hook.pattern(l));
    let z = b.attentionMix(P0, v);
    if (this.lin.attention === 'live') {
      let dq = b.reshape(b.linear(a, w.wQ), [rows, pos, H, dh]);
      let dk = b.reshape(b.linear(a, w.wK), [rows, pos, Hkv, dh]);
      if (w.qNorm && w.kNorm) {
        dq = this.qkNorm(dq, w.qNorm, l, 'q');
        dk = this.qkNorm(dk, w.kNorm, l, 'k');
      }
      const rotary = spec.positional === 'rotary';
      if (rotary) {
        const rope = layerRope(layerAttention(spec, l), spec.rotaryDims, this.positions);
        dq = b.rope(dq, this.positions, spec.rotaryDims, rope.theta, rope.freqs);
        dk = b.rope(dk, this.positions, spec.rotaryDims, rope.theta, rope.freqs);
      }
      const q0 = this.x0(rotary ? hook.rotQ(l) : hook.q(l));
      const k0 = this.x0(rotary ? hook.rotK(l) : hook.k(l));
      const c = attentionScale({ spec });
      // All keys visible: dS stays finite where the pattern is 0, and P0 ⊙ (…) zeroes it there.
      let dS = b.add(b.attentionScores(dq, k0, c, allKeys(pos)), b.attentionScores(q0, dk, c, allKeys(pos)));
      const cap = spec.attnSoftcap;
      if (cap !== undefined) {
        // Gemma-2's score softcap: the slope 1 − tanh²(raw0/cap) of the uncapped scores at x0.
        const slope = { key: 'softcap', make: (q: Tensor) => b.unaryGrad(b.scale(b.attentionScores(q, this.tape.value(hook.rotK(l)), c, allKeys(pos)), 1 / cap), 'tanh') };
        dS = b.mul(dS, this.x0(hook.rotQ(l), slope));
      }
      const dP = b.mul(P0, b.sub(dS, b.sum(b.mul(P0, dS), 3)));
      z = b.add(z, b.attentionMix(dP, this.x0(hook.v(l))));
    }
    const out = b.linear(b.reshape(z, [rows, pos, H * dh]), w.wO, this.bias(w.bO));
    const heads = at === null ? null : b.headResult(b.slice(z, 1, at, at + 1), w.wO);
    return { out, heads };
  }

  mlp(l: number, m: Tensor): Tensor {
    const { b, spec } = this;
    const w = this.tape.model.weights.blocks[l].mlp;
    const act = spec.activation;
    const pre0 = hook.mlpPre(l);
    const gate = { key: 'gate', make: (t: Tensor) => b.unary(t, act) };
    const slope = { key: 'slope', make: (t: Tensor) => b.unaryGrad(t, act) };
    const secant = { key: 'secant', make: (t: Tensor) => secantGain(b, t, act) };
    let post: Tensor;
    if (spec.gatedMlp) {
      post = b.mul(b.linear(m, w.wIn, this.bias(w.bIn)), this.x0(pre0, gate));
      if (this.lin.gains === 'live') {
        const dGate = b.linear(m, w.wGate!);
        post = b.add(post, b.mul(b.mul(dGate, this.x0(pre0, slope)), this.x0(hook.mlpPreLinear(l))));
      }
    } else {
      post = b.mul(b.linear(m, w.wIn, this.bias(w.bIn)), this.x0(pre0, this.lin.gains === 'live' ? slope : secant));
    }
    return b.linear(post, w.wOut, this.bias(w.bOut));
  }

  run(start: ResidStart, input: Tensor, at: number | null): LinearPassOutput {
    const { b, spec } = this;
    const d = spec.dModel;
    if (input.shape.join() !== [this.rows, this.pos, d].join()) {
      throw new Error(`input at ${start.hook} has shape [${input.shape}], expected [${this.rows}, ${this.pos}, ${d}]`);
    }
    const take = (t: Tensor) => b.slice(t, 1, at!, at! + 1);
    const comps: PassComponents | null = at === null ? null : { input: take(input), heads: [], mlps: [], layers: [] };
    let u = input;
    const first = start.at === 'post' ? start.layer + 1 : start.layer;
    for (let l = first; l < spec.nLayers; l++) {
      const w = this.tape.model.weights.blocks[l];
      const fromMid = l === start.layer && start.at === 'mid';
      let heads: Tensor | null = null;
      let mid = u;
      let mlpOut: Tensor;
      if (!fromMid) {
        const attnIn = w.ln1 ? this.norm(u, w.ln1, hook.lnScale(l, 1), hook.residPre(l)) : u;
        const attn = this.attention(l, attnIn, at);
        heads = attn.heads;
        let attnOut = attn.out;
        if (w.ln1Post) {
          attnOut = this.postNorm(attnOut, w.ln1Post, l, 1);
          heads = heads && this.postNormHeads(heads, w.ln1Post, l, at!);
        }
        if (spec.parallelResidual) {
          mlpOut = this.mlp(l, this.norm(u, w.ln2!, hook.lnScale(l, 2), hook.residPre(l)));
          u = b.add(b.add(u, attnOut), mlpOut);
          comps?.heads.push(heads);
          comps?.mlps.push(take(mlpOut));
          comps?.layers.push(l);
          continue;
        }
        mid = b.add(u, attnOut);
      }
      mlpOut = this.mlp(l, w.ln2 ? this.norm(mid, w.ln2, hook.lnScale(l, 2), hook.residMid(l)) : mid);
      if (w.ln2Post) mlpOut = this.postNorm(mlpOut, w.ln2Post, l, 2);
      u = b.add(mid, mlpOut);
      comps?.heads.push(heads);
      comps?.mlps.push(take(mlpOut));
      comps?.layers.push(l);
    }
    return { resid: u, components: comps };
  }

  /**
   * [rows, pos, vocab] logits of a final stream: frozen or tangent ln_final, then W_U (+ b_U if
   * affine), then Gemma-2's final softcap as a per-entry gain at x0: c·tanh(z0/c)/z0 (frozen) or
   * 1 − tanh²(z0/c) (tangent), z0 the pre-cap logits of x0.
   */
  logits(resid: Tensor): Tensor {
    const { b } = this;
    const { weights } = this.tape.model;
    const n = this.norm(resid, weights.lnFinal, hook.lnFinalScale, hook.residPost(this.spec.nLayers - 1));
    const z = b.linear(n, weights.unembed, this.bias(weights.bUnembed));
    const cap = this.spec.finalSoftcap;
    if (cap === undefined) return z;
    const preCap = (normalized: Tensor) => b.linear(b.mul(normalized, weights.lnFinal.w), weights.unembed, weights.bUnembed);
    const gain =
      this.lin.norms === 'live'
        ? { key: 'softcap-slope', make: (t: Tensor) => b.unaryGrad(b.scale(preCap(t), 1 / cap), 'tanh') }
        : { key: 'softcap-secant', make: (t: Tensor) => softcapSecantGain(b, preCap(t), cap) };
    return b.mul(z, this.x0(hook.lnFinalNormalized, gain));
  }
}

export function linearPass(req: LinearPassRequest): LinearPassOutput {
  return new LinearPass(req.tape, req.lin, req.affine, req.input.shape[0]).run(req.start, req.input, req.componentsAt);
}
