/**
 * Reverse-mode pass over a tape: vector-Jacobian products of every op of the four architectures,
 * written in Backend ops. The gradient recorded at a hook is ∂M/∂(the hook's value after its
 * interventions) with everything downstream live — what a TransformerLens backward hook on that
 * hook point receives; it is then pulled back through the hook's interventions.
 *
 * VJPs (g = incoming gradient; values are the tape's, post-intervention):
 *   linear y = x Wᵀ + b            gx = g · W                                  (linearTransposed)
 *   norm   y = n ⊙ w (+ β), n = C(x)/s, s = √(mean(C(x)²) + ε)   (C = centring for LayerNorm)
 *          gn = g ⊙ w;  gx = C(gn)/s  +  gs · n/d,  gs = −Σ(gn ⊙ n)/s        (frozen: gs path cut)
 *   rotary rotation R(θp)          gx = R(−θp) g                               (rope, −positions)
 *   scores S = c·q kᵀ (masked)     gq = c·gS k;  gk = c·Σ_group gSᵀ q        (attentionMix)
 *   softmax P                       gS = P ⊙ (gP − Σ_k P ⊙ gP)
 *   mix z = P v                     gP = gz vᵀ (all entries; masked P are 0);  gv = Σ_group Pᵀ gz
 *   act    y = act(z)              gz = g ⊙ act'(z)   (secant: g ⊙ act(z0)/z0)  (unaryGrad)
 *   SwiGLU y = act(gate) ⊙ up      gup = g ⊙ act(gate);  ggate = g ⊙ up ⊙ act'(gate)
 *   residual adds / parallel residual: gradients add.
 */
import type { Tensor } from '../../gpu/backend.ts';
import { dictionaryHook } from '../dictionaries/dictionary.ts';
import type { DictionaryUse } from '../dictionaries/splice.ts';
import type { HookSite } from '../hooks/interventions.ts';
import { selectionMask } from '../hooks/interventions.ts';
import { hook } from '../hooks/points.ts';
import { attentionScale } from '../model/attention.ts';
import { layerRope } from '../model/rope.ts';
import { layerAttention } from '../model/spec.ts';
import type { NormWeights } from '../model/weights.ts';
import { interventionVjp } from './intervention-vjp.ts';
import type { Linearisation } from './linearisation.ts';
import { spliceVjp } from './splice-vjp.ts';
import { allKeys, centre, groupSum, secantGain, softcapSecantGain } from './linearisation.ts';
import type { Tape } from './tape.ts';

interface NormNames {
  readonly scale: string;
  readonly normalized: string;
}

export interface BackwardRequest {
  readonly tape: Tape;
  /** ∂M/∂logits, shaped like the tape's logits [batch, 1 or pos, vocab]. */
  readonly seed: Tensor;
  /** Hook names whose gradients to return. */
  readonly wrt: ReadonlySet<string>;
  readonly lin: Linearisation;
  /**
   * Gradients added at hooks when the pass reaches them ([batch, pos, …] like the hook): starts
   * backward passes inside the network, e.g. a transcoder feature's encoder row at its input hook.
   */
  readonly inject?: ReadonlyMap<string, Tensor>;
}

class Backward {
  readonly grads = new Map<string, Tensor>();
  private readonly b;
  private readonly spec;
  private readonly negPositions: Int32Array;
  /** Dictionaries spliced into the taped pass, by the hook they write. */
  private readonly splices = new Map<string, DictionaryUse>();
  /** Gradients that transcoders' inputs receive, added when the pass reaches their input hook. */
  private readonly readers = new Map<string, Tensor>();

  constructor(
    private readonly tape: Tape,
    private readonly wrt: ReadonlySet<string>,
    private readonly lin: Linearisation,
    private readonly inject: ReadonlyMap<string, Tensor> = new Map(),
  ) {
    this.b = tape.backend;
    this.spec = tape.model.spec;
    this.negPositions = tape.tokens.positions.map((p) => -p);
    for (const use of tape.model.dictionaries ?? []) this.splices.set(use.dictionary.config.hookOut, use);
    // A CLT spliced with its error term and unedited is the identity on every MLP output, so the
    // pass goes straight through it; its own backward (cross-layer rows) is not written.
    const clt = tape.model.crossLayerTranscoder;
    if (clt && clt.splice !== false && (clt.errorTerm !== true || (clt.features?.length ?? 0) > 0)) {
      throw new Error(`gradients through the cross-layer transcoder ${clt.clt.label} spliced ${clt.errorTerm === true ? 'with feature edits' : 'without its error term'} are not implemented; splice it with the error term (dictionarySplice with-error) or use per-layer transcoders`);
    }
  }

  done(): boolean {
    return this.grads.size === this.wrt.size;
  }

  /**
   * Records g at a hook if asked, then pulls it back through a dictionary spliced in there and
   * through that hook's interventions (the forward's order reversed).
   */
  at(name: string, gIn: Tensor): Tensor {
    let g = gIn;
    for (const extra of [this.inject.get(name), this.readers.get(name)]) if (extra) g = this.b.add(g, extra);
    if (this.wrt.has(name)) this.grads.set(name, g);
    const use = this.splices.get(name);
    if (use) g = this.splice(use, g);
    const ivs = this.tape.interventions.get(name);
    if (!ivs) return g;
    const site: HookSite = this.tape.site(name);
    let out = g;
    for (let i = ivs.length - 1; i >= 0; i--) out = interventionVjp(this.b, out, ivs[i], site);
    return out;
  }

  private v(name: string): Tensor {
    return this.tape.value(name);
  }

  /** Through a spliced dictionary (splice-vjp.ts): g at its output → g before it; a transcoder's input gradient waits for its hook. */
  private splice(use: DictionaryUse, g: Tensor): Tensor {
    const { hookIn, hookOut } = use.dictionary.config;
    const actsPost = dictionaryHook.actsPost(hookOut);
    const site = this.tape.site(actsPost);
    const shape = this.v(actsPost).shape;
    const mask = (sel: { neuron: number | number[]; pos?: number | number[] }) => {
      const m = selectionMask(shape, { hook: actsPost, op: 'zero', ...sel }, site);
      return m && this.b.upload(m, shape);
    };
    const out = spliceVjp({ backend: this.b, at: (n, t) => this.at(n, t), value: (n) => this.v(n) }, use, g, g.shape, this.v(hookIn).shape, mask);
    if (out.input) {
      const pending = this.readers.get(hookIn);
      this.readers.set(hookIn, pending ? this.b.add(pending, out.input) : out.input);
    }
    return out.target;
  }

  /** Gradient w.r.t. the norm's input x, given g w.r.t. its output. */
  norm(x: Tensor, w: NormWeights<Tensor>, names: NormNames, g: Tensor): Tensor {
    const { b } = this;
    const layerNorm = this.spec.normalization === 'layernorm';
    // TL's hook_normalized: LayerNorm's full output, RMSNorm's x/s before the weight.
    const gUnit = layerNorm ? b.mul(this.at(names.normalized, g), w.w) : this.at(names.normalized, b.mul(g, w.w));
    const s = this.v(names.scale);
    let gx = b.div(layerNorm ? centre(b, gUnit) : gUnit, s);
    if (this.lin.norms === 'frozen') return gx;
    // The scale's own dependence on x. n is recomputed from x (the hook's normalized value may
    // have been intervened on, and LayerNorm's hook holds n ⊙ w + β).
    const unit = b.normalize(x, s, layerNorm);
    const d = x.shape[x.shape.length - 1];
    const gScale = b.scale(b.div(b.sum(b.mul(gUnit, unit), x.shape.length - 1), s), -1);
    const gScalePre = this.at(names.scale, gScale);
    // ∂s/∂x = C(x)/(d·s) with the scale the norm computed before any intervention on it.
    const intervened = this.tape.interventions.has(names.scale);
    const unitPre = intervened ? b.normalize(x, b.normScale(x, layerNorm, this.spec.normEps), layerNorm) : unit;
    gx = b.add(gx, b.scale(b.mul(unitPre, gScalePre), 1 / d));
    return gx;
  }

  /** Gradient w.r.t. the attention's (normalised) input, given g w.r.t. its output z·W_O + b_O. */
  attention(l: number, g: Tensor): Tensor {
    const { b, spec } = this;
    const w = this.tape.model.weights.blocks[l].attn;
    const [batch, pos] = g.shape;
    const { nHeads: H, nKvHeads: Hkv, dHead: dh } = spec;
    let gz: Tensor;
    if (this.tape.values.has(hook.result(l))) {
      // Per-head results were computed: each head's result receives the full g.
      const gRes = this.at(hook.result(l), b.expand(b.reshape(g, [batch, pos, 1, spec.dModel]), [batch, pos, H, spec.dModel]));
      const full = b.linearTransposed(gRes, w.wO); // [batch, pos, head, head·dHead]: keep head h's own block
      const heads = Array.from({ length: H }, (_, h) => b.slice(b.slice(full, 2, h, h + 1), 3, h * dh, (h + 1) * dh));
      gz = b.concat(heads, 2);
    } else {
      gz = b.reshape(b.linearTransposed(g, w.wO), [batch, pos, H, dh]);
    }
    gz = this.at(hook.z(l), gz);
    const pattern = this.v(hook.pattern(l));
    const v = this.v(hook.v(l));
    // gv[j] = Σ_i P[i, j] gz[i]: attentionMix with the pattern transposed, query heads summed per kv head.
    let gv = groupSum(b, b.attentionMix(b.permute(pattern, [0, 1, 3, 2]), gz), Hkv);
    let gx: Tensor | null = null;
    if (this.lin.attention === 'live') {
      const gP = b.attentionScores(gz, v, 1, allKeys(pos));
      const gPPre = this.at(hook.pattern(l), gP);
      const scores = this.v(hook.attnScores(l));
      const P = this.tape.interventions.has(hook.pattern(l)) ? b.softmax(scores) : pattern;
      let gS = b.mul(P, b.sub(gPPre, b.sum(b.mul(P, gPPre), 3)));
      gS = this.at(hook.attnScores(l), gS);
      const rotary = spec.positional === 'rotary';
      const q = this.v(rotary ? hook.rotQ(l) : hook.q(l));
      const k = this.v(rotary ? hook.rotK(l) : hook.k(l));
      const c = attentionScale({ spec });
      if (spec.attnSoftcap !== undefined) {
        // s = cap·tanh(raw/cap): ∂s/∂raw = 1 − tanh²(raw/cap), from the uncapped scores (finite everywhere).
        const raw = b.attentionScores(q, k, c, allKeys(pos));
        gS = b.mul(gS, b.unaryGrad(b.scale(raw, 1 / spec.attnSoftcap), 'tanh'));
      }
      let gq = b.scale(b.attentionMix(gS, k), c);
      let gk = b.scale(groupSum(b, b.attentionMix(b.permute(gS, [0, 1, 3, 2]), q), Hkv), c);
      if (rotary) {
        // The VJP of amplitude·R(θp) is amplitude·R(−θp): the same frequencies at negated positions.
        const rope = layerRope(layerAttention(spec, l), spec.rotaryDims, this.tape.tokens.positions);
        const unrotate = (t: Tensor) => b.rope(t, this.negPositions, spec.rotaryDims, rope.theta, rope.freqs);
        gq = unrotate(this.at(hook.rotQ(l), gq));
        gk = unrotate(this.at(hook.rotK(l), gk));
      }
      if (w.qNorm && w.kNorm) {
        gq = this.qkNorm(l, 'q', w.qNorm, gq);
        gk = this.qkNorm(l, 'k', w.kNorm, gk);
      }
      gq = this.at(hook.q(l), gq);
      gk = this.at(hook.k(l), gk);
      gx = b.add(
        b.linearTransposed(b.reshape(gq, [batch, pos, H * dh]), w.wQ),
        b.linearTransposed(b.reshape(gk, [batch, pos, Hkv * dh]), w.wK),
      );
    }
    gv = this.at(hook.v(l), gv);
    const fromV = b.linearTransposed(b.reshape(gv, [batch, pos, Hkv * dh]), w.wV);
    return gx ? b.add(gx, fromV) : fromV;
  }

  /** Gradient w.r.t. the raw q or k projection through its q/k norm (per head, or over the projection). */
  private qkNorm(l: number, which: 'q' | 'k', w: NormWeights<Tensor>, g: Tensor): Tensor {
    const { b } = this;
    const x = this.v(which === 'q' ? hook.q(l) : hook.k(l));
    const names = { scale: hook.qkNormScale(l, which), normalized: hook.qkNormNormalized(l, which) };
    if (this.spec.qkNorm === 'head') return this.norm(x, w, names, g);
    const [batch, pos, heads, dHead] = x.shape;
    const flat = (t: Tensor) => b.reshape(t, [batch, pos, heads * dHead]);
    return b.reshape(this.norm(flat(x), w, names, flat(g)), x.shape);
  }

  /** Gradient w.r.t. the MLP's (normalised) input, given g w.r.t. its output post·W_out + b_out. */
  mlp(l: number, g: Tensor): Tensor {
    const { b, spec } = this;
    const w = this.tape.model.weights.blocks[l].mlp;
    const gPost = this.at(hook.mlpPost(l), b.linearTransposed(g, w.wOut));
    const pre = this.v(hook.mlpPre(l));
    const act = spec.activation;
    if (spec.gatedMlp) {
      const gLin = this.at(hook.mlpPreLinear(l), b.mul(gPost, b.unary(pre, act)));
      let gx = b.linearTransposed(gLin, w.wIn);
      if (this.lin.gains === 'live') {
        const up = this.v(hook.mlpPreLinear(l));
        const gGate = this.at(hook.mlpPre(l), b.mul(b.mul(gPost, up), b.unaryGrad(pre, act)));
        gx = b.add(gx, b.linearTransposed(gGate, w.wGate!));
      }
      return gx;
    }
    const gain = this.lin.gains === 'live' ? b.unaryGrad(pre, act) : secantGain(b, pre, act);
    return b.linearTransposed(this.at(hook.mlpPre(l), b.mul(gPost, gain)), w.wIn);
  }

  /**
   * A sublayer (1 attention, 2 MLP) from its residual write back to the stream x it read: the
   * write's hook (hook_attn_out / hook_mlp_out), the post norm (Gemma, OLMo-2), the sublayer,
   * the pre-norm (when there is one).
   */
  private sublayer(l: number, which: 1 | 2, x: Tensor, gWrite: Tensor): Tensor {
    const w = this.tape.model.weights.blocks[l];
    let g = this.at(which === 1 ? hook.attnOut(l) : hook.mlpOut(l), gWrite);
    // A cut MLP (attribution graphs) passes nothing back, but its pre-norm still carries what is
    // injected at its hook_normalized (a transcoder feature's encoder row).
    const cut = which === 2 && this.lin.mlp === 'cut';
    const post = which === 1 ? w.ln1Post : w.ln2Post;
    if (post && !cut) {
      const names = { scale: hook.lnPostScale(l, which), normalized: hook.lnPostNormalized(l, which) };
      // The norm's input (the raw sublayer output) is normalized · scale (RMSNorm).
      const raw = this.b.mul(this.v(names.normalized), this.v(names.scale));
      g = this.norm(raw, post, names, g);
    }
    const gIn = cut ? this.b.fill(x.shape, 0) : which === 1 ? this.attention(l, g) : this.mlp(l, g);
    const pre = which === 1 ? w.ln1 : w.ln2;
    return pre ? this.norm(x, pre, { scale: hook.lnScale(l, which), normalized: hook.lnNormalized(l, which) }, gIn) : gIn;
  }

  /** Gradient w.r.t. blocks.l.hook_resid_pre's input, given g w.r.t. blocks.l.hook_resid_post. */
  block(l: number, gPost: Tensor): Tensor {
    const { b } = this;
    const g = this.at(hook.residPost(l), gPost);
    const x = this.v(hook.residPre(l));
    let gx: Tensor;
    if (this.spec.parallelResidual) {
      gx = b.add(g, b.add(this.sublayer(l, 1, x, g), this.sublayer(l, 2, x, g)));
    } else {
      const mid = this.v(hook.residMid(l));
      const gMid = this.at(hook.residMid(l), b.add(g, this.sublayer(l, 2, mid, g)));
      gx = b.add(gMid, this.sublayer(l, 1, x, gMid));
    }
    return this.at(hook.residPre(l), gx);
  }

  run(seed: Tensor): void {
    const { b, tape } = this;
    const { spec, weights } = tape.model;
    const { batch, pos } = tape.tokens;
    // Gemma-2's final softcap L = c·tanh(z/c): live, ∂L/∂z = 1 − (L/c)² from the capped logits;
    // frozen (the secant replay's adjoint, attribution graphs), the gain c·tanh(z0/c)/z0 of
    // linear-pass.ts, from the pre-cap logits z0 recomputed from ln_final's output.
    const c = spec.finalSoftcap;
    let gLogits = seed;
    if (c !== undefined && this.lin.norms === 'live') {
      gLogits = b.mul(seed, b.sub(b.fill(tape.logits.shape, 1), b.scale(b.mul(tape.logits, tape.logits), 1 / (c * c))));
    } else if (c !== undefined) {
      let normed = this.v(hook.lnFinalNormalized);
      if (seed.shape[1] !== pos) normed = b.slice(normed, 1, pos - 1, pos);
      gLogits = b.mul(seed, softcapSecantGain(b, b.linear(b.mul(normed, weights.lnFinal.w), weights.unembed, weights.bUnembed), c));
    }
    // ∂M/∂(final norm output): through the unembedding, then placed at its rows.
    let gNormed = b.linearTransposed(gLogits, weights.unembed);
    if (seed.shape[1] !== pos) {
      const before = b.fill([batch, pos - 1, spec.dModel], 0);
      gNormed = pos > 1 ? b.concat([before, gNormed], 1) : gNormed;
    }
    const last = this.v(hook.residPost(spec.nLayers - 1));
    let g = this.norm(last, weights.lnFinal, { scale: hook.lnFinalScale, normalized: hook.lnFinalNormalized }, gNormed);
    for (let l = spec.nLayers - 1; l >= 0 && !this.done(); l--) g = this.block(l, g);
    if (this.done()) return;
    if (spec.positional === 'learned') this.at(hook.posEmbed, g);
    this.at(hook.embed, g);
  }
}

/** Runs the backward pass; returns the gradient tensors at `wrt` (on the tape's backend). */
export function backward(req: BackwardRequest): Map<string, Tensor> {
  const pass = new Backward(req.tape, req.wrt, req.lin, req.inject);
  pass.run(req.seed);
  return pass.grads;
}
