/**
 * LinearScope: input-dependent linear replay (METHODS.md, "LinearScope").
 *
 * Run x0 and record the action of every nonlinearity: norm scales (blocks.l.ln1/ln2.hook_scale,
 * ln_final.hook_scale), attention patterns (blocks.l.attn.hook_pattern), MLP gains g = act(z0)/z0
 * for GELU/ReLU/SiLU MLPs (z0 = blocks.l.mlp.hook_pre), the whole gate act(gate0) for gated MLPs.
 * Two linearisations of the network as a function of a residual-stream hook x (default
 * blocks.0.hook_resid_pre, the embeddings; any blocks.l.hook_resid_pre|mid|post may be the start):
 *
 *   secant   F_x0(x) = A x + b, the forward replayed with those actions frozen (norms divide by
 *            the recorded scale, LayerNorm keeps its centring; attention mixes v(x) with the recorded
 *            pattern; MLPs multiply by the recorded gain or gate). Exact at x0: F_x0(x0) = the
 *            logits; bias = F_x0(0); the metric decomposes exactly into per-source-position ×
 *            per-component terms plus bias.
 *   tangent  the local Jacobian J of the real network at x0 (act'(z0), and the norms' and the
 *            softmax's derivatives): F(x) ≈ F(x0) + J (x − x0). per_position[j] = J_j x0_j; bias is
 *            the Taylor intercept F(x0) − J x0 (the network is not homogeneous, so it is not 0).
 *
 * Decomposition of metric = logit[target] − logit[wrong] (or logit[target]) at position t:
 *   grid[j][c]     the part of component c's output at t that comes from the input at position j
 *                  (row j of the start stream alone, bias removed), read through the (frozen or
 *                  tangent) final norm; components = the start stream itself ('embed' when the
 *                  start is blocks.0.hook_resid_pre, else the start hook's name), every head
 *                  'L{l}H{h}' (z_h·W_O_h) and every MLP 'L{l}.mlp' from the start on.
 *   per_position[j] = Σ_c grid[j][c];  per_component[c] = Σ_j grid[j][c]
 *   bias = Σ biasTerms: each component's constant part, b_O of each layer, the final norm's β,
 *          b_U (secant); the Taylor intercept (tangent).
 *   metric = Σ_j per_position[j] + bias (secant: exactly; tangent: by the intercept's definition).
 *
 * The adjoint Aᵀv (a backward pass through the frozen ops; tangent: the true gradient) pulls the
 * metric's direction back to any hook point; the pull-back at the start hook is decoded through the
 * LM head (top/bottom tokens of W_U·(Aᵀv)[j]) at every position j.
 *
 * Dictionaries attached to the model: spliced with their error term they leave the network (and
 * so both linearisations) unchanged, and one writing the start hook splits each position's input
 * into its features: x_j = Σ_f acts[j,f]·W_dec[f] + b_dec + error_j, so per_position[j] =
 * Σ_f acts[j,f]·(W_dec[f]·p_j) + b_dec·p_j + error_j·p_j with p_j = (Aᵀv)[j] (`features`). A
 * dictionary spliced without its error term changes the network, which the linear replay does not
 * model, so it is refused by name.
 */
import type { Tensor } from '../../gpu/backend.ts';
import { backward } from '../grad/backward.ts';
import type { LinearPassOutput, ResidStart } from '../grad/linear-pass.ts';
import { LinearPass, residStart } from '../grad/linear-pass.ts';
import type { Linearisation } from '../grad/linearisation.ts';
import { FROZEN, LIVE, rowsOf } from '../grad/linearisation.ts';
import type { DifferentiableMetric } from '../grad/metric.ts';
import { logitDiff, logitOf } from '../grad/metric.ts';
import type { Tape } from '../grad/tape.ts';
import { recordTape } from '../grad/tape.ts';
import type { ActivationCache, HostActivation } from '../hooks/interventions.ts';
import { resolveHookPatterns } from '../hooks/glob.ts';
import { dictionaryHook } from '../dictionaries/dictionary.ts';
import { hook } from '../hooks/points.ts';
import type { Model } from '../model/model.ts';
import type { ModelInput } from '../model/run.ts';
import { hostWeight, hostWeightOrZeros } from './host-weights.ts';
import type { DirectionToken } from './neurons.ts';
import { decodeDirection } from './neurons.ts';

export type LinearScopeMode = 'secant' | 'tangent';

export interface LinearScopeOptions {
  /** metric = logit[target] − logit[wrong] (logit[target] without `wrong`). */
  readonly target: number;
  readonly wrong?: number;
  /** Position whose logits the metric reads (default: the last). */
  readonly position?: number;
  /** 'secant' (default): frozen actions, exact decomposition; 'tangent': the local Jacobian. */
  readonly mode?: LinearScopeMode;
  /** Residual hook standing in for the input (default blocks.0.hook_resid_pre). */
  readonly start?: string;
  /** Hooks (names or globs) to pull the metric back to (Aᵀv); the start hook is always included. */
  readonly pullBackTo?: readonly string[];
  /** Tokens at each end when decoding the pulled-back direction (default 10). */
  readonly decodeTopK?: number;
  readonly prependBos?: boolean;
}

export interface DecodedPullBack {
  /** Position j of the start hook whose direction (Aᵀv)[j] was decoded. */
  readonly pos: number;
  /** Highest (W_U·(Aᵀv)[j]) first. */
  readonly top: DirectionToken[];
  /** Lowest first. */
  readonly bottom: DirectionToken[];
}

/** The decomposition of the target metric at one position. */
export interface Decomposition {
  readonly position: number;
  /** The real network's metric at x0. */
  readonly logit: number;
  /** The replay at x0 (secant F_x0(x0); tangent F(x0) + J·0): equals `logit`. */
  readonly replay: number;
  /** Secant F_x0(0); tangent the Taylor intercept F(x0) − J x0. */
  readonly bias: number;
  /** [pos] contribution of each source position's input. */
  readonly perPosition: number[];
  /** [component] labels. */
  readonly components: string[];
  /** [pos][component]. */
  readonly grid: number[][];
  /** [component] Σ over positions. */
  readonly perComponent: number[];
  /** Constant terms summing to `bias`. */
  readonly biasTerms: { label: string; value: number }[];
}

export interface LinearScopeResult extends Decomposition {
  readonly mode: LinearScopeMode;
  readonly start: string;
  readonly ids: number[];
  readonly target: number;
  readonly wrong: number | null;
  /** Aᵀv at each pulled-back hook, shaped like the hook ([1, ...]). */
  readonly pullBacks: ActivationCache;
  /** [pos] LM-head decoding of the pull-back at the start hook. */
  readonly decoded: DecodedPullBack[];
  /** The start hook's input split into the features of the dictionary writing it (attached with its error term); null without one. */
  readonly features: StartFeatures | null;
}

export interface StartFeatures {
  readonly hook: string;
  /** Active (position, feature) pairs: acts[j,f]·(W_dec[f]·p_j), largest |contribution| first. */
  readonly items: { readonly pos: number; readonly feature: number; readonly activation: number; readonly contribution: number }[];
  /** [pos] b_dec·p_j. */
  readonly bias: number[];
  /** [pos] error_j·p_j. */
  readonly error: number[];
}

/** The target metric of a LinearScope decomposition. */
export interface LinearScopeTarget {
  readonly target: number;
  readonly wrong?: number;
  readonly position?: number;
}

/** A recorded run at x0 with its two linearisations (release it when done: it holds tensors). */
export interface LinearScope {
  readonly model: Model;
  readonly mode: LinearScopeMode;
  readonly start: ResidStart;
  readonly ids: number[];
  /** [1, pos, dModel] x0 at the start hook. */
  readonly x0: HostActivation;
  /** Logits [rows, pos, vocab] of x [pos, dModel] or [rows, pos, dModel] at the start hook: secant F_x0(x), tangent F(x0) + J(x − x0). */
  replay(x: HostActivation): Promise<HostActivation>;
  /** Aᵀv at hooks (names or globs) for the metric's direction v (secant: frozen ops; tangent: true gradient). */
  pullBack(metric: DifferentiableMetric, hooks: readonly string[]): Promise<ActivationCache>;
  /** Recorded forward values at hooks (after their interventions). */
  values(names: readonly string[]): Promise<ActivationCache>;
  decompose(target: LinearScopeTarget): Promise<Decomposition>;
  release(): void;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>, offset = 0): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[offset + i];
  return s;
}

function metricFor(t: LinearScopeTarget, position: number): DifferentiableMetric {
  return t.wrong === undefined ? logitOf(t.target, position) : logitDiff(t.target, t.wrong, position);
}

class Scope implements LinearScope {
  readonly start: ResidStart;
  private readonly lin: Linearisation;

  constructor(
    readonly model: Model,
    readonly mode: LinearScopeMode,
    start: string,
    private readonly tape: Tape,
    readonly x0: HostActivation,
  ) {
    this.start = residStart(model.spec, start);
    this.lin = mode === 'secant' ? FROZEN : LIVE;
  }

  get ids(): number[] {
    return this.tape.ids[0];
  }

  private pass(rows: number): LinearPass {
    return new LinearPass(this.tape, this.lin, this.mode === 'secant', rows);
  }

  /** Stacks host rows [rows, pos, dModel] onto the backend. */
  private upload(rows: Float32Array[]): Tensor {
    const { pos } = this.tape.tokens;
    const d = this.model.spec.dModel;
    const data = new Float32Array(rows.length * pos * d);
    rows.forEach((r, i) => data.set(r, i * pos * d));
    return this.tape.backend.upload(data, [rows.length, pos, d]);
  }

  async replay(x: HostActivation): Promise<HostActivation> {
    const { pos } = this.tape.tokens;
    const d = this.model.spec.dModel;
    const rows = x.data.length / (pos * d);
    if (!Number.isInteger(rows) || x.shape[x.shape.length - 1] !== d || x.shape[x.shape.length - 2] !== pos) {
      throw new Error(`replay: x at ${this.start.hook} must be [pos, dModel] or [rows, pos, dModel] = [.., ${pos}, ${d}], got [${x.shape}]`);
    }
    const b = this.tape.backend;
    let input = b.upload(x.data, [rows, pos, d]);
    // Tangent: F(x0) + J (x − x0).
    if (this.mode === 'tangent') input = b.sub(input, rowsOf(b, b.upload(this.x0.data, [1, pos, d]), rows));
    const pass = this.pass(rows);
    let logits = pass.logits(pass.run(this.start, input, null).resid);
    if (this.mode === 'tangent') logits = b.add(logits, rowsOf(b, this.tape.logits, rows));
    const [data] = await b.read([logits]);
    return { shape: [...logits.shape], data };
  }

  /** Recorded forward values at hooks (after their interventions). */
  async values(names: readonly string[]): Promise<ActivationCache> {
    const tensors = names.map((n) => this.tape.value(n));
    const data = await this.tape.backend.read(tensors);
    return Object.fromEntries(names.map((n, i) => [n, { shape: [...tensors[i].shape], data: data[i] }]));
  }

  async pullBack(metric: DifferentiableMetric, hooks: readonly string[]): Promise<ActivationCache> {
    const names = resolveHookPatterns(this.model.hookPoints.map((p) => p.name), hooks);
    for (const h of names) {
      if (h.endsWith('.attn.hook_result')) throw new Error(`${h}: per-head results are not recorded by LinearScope; pull back to hook_z instead`);
    }
    const b = this.tape.backend;
    const [logits] = await b.read([this.tape.logits]);
    const seed = b.upload(metric.evaluate({ shape: [...this.tape.logits.shape], data: logits }).grad, this.tape.logits.shape);
    const grads = backward({ tape: this.tape, seed, wrt: names, lin: this.lin });
    const missing = [...names].filter((h) => !grads.has(h));
    if (missing.length) {
      throw new Error(
        `no pull-back to ${missing.join(', ')}: in ${this.mode} mode ${this.mode === 'secant' ? 'norm scales, q/k, scores, patterns and gates are frozen (not on the linear map)' : 'it is not on the path to the logits'}`,
      );
    }
    const list = [...grads];
    const data = await b.read(list.map(([, t]) => t));
    return Object.fromEntries(list.map(([n, t], i) => [n, { shape: [...t.shape], data: data[i] }]));
  }

  /**
   * Gemma-2's final softcap L = c·tanh(z/c) as a gain on the pre-cap logits z of the target and
   * wrong tokens at x0: secant L0/z0 (frozen, exact at x0), tangent 1 − (L0/c)²; [1, 1] without a cap.
   */
  private async softcapGains(t: LinearScopeTarget, position: number): Promise<[number, number]> {
    const cap = this.model.spec.finalSoftcap;
    if (cap === undefined) return [1, 1];
    const [logits] = await this.tape.backend.read([this.tape.logits]);
    const V = this.model.spec.dVocab;
    const row = this.tape.logits.shape[1] === 1 ? 0 : position;
    const gain = (id: number) => {
      const capped = logits[row * V + id];
      if (this.mode === 'tangent') return 1 - (capped / cap) ** 2;
      const z0 = cap * Math.atanh(capped / cap);
      return z0 === 0 ? 1 : capped / z0;
    };
    return [gain(t.target), t.wrong === undefined ? 1 : gain(t.wrong)];
  }

  /** ρ [dModel] and constant c with metric = ⟨ρ, final stream at t⟩ + c (secant), or its tangent. */
  private async readout(t: LinearScopeTarget, position: number): Promise<{ rho: Float64Array; normBias: number; unembedBias: number }> {
    const { model } = this;
    const { dModel: d, nLayers: L } = model.spec;
    const layerNorm = model.spec.normalization === 'layernorm';
    const wU = await hostWeight(model, model.weights.unembed);
    const [gTarget, gWrong] = await this.softcapGains(t, position);
    const u = Float64Array.from({ length: d }, (_, i) => gTarget * wU[t.target * d + i] - (t.wrong === undefined ? 0 : gWrong * wU[t.wrong * d + i]));
    const gamma = await hostWeight(model, model.weights.lnFinal.w);
    const beta = await hostWeightOrZeros(model, model.weights.lnFinal.b, d);
    const bU = model.weights.bUnembed ? await hostWeight(model, model.weights.bUnembed) : null;
    const [scale, resid] = await this.tape.backend.read([this.tape.value(hook.lnFinalScale), this.tape.value(hook.residPost(L - 1))]);
    const s = scale[position];
    const gn = u.map((v, i) => v * gamma[i]);
    const centreIf = (v: Float64Array) => {
      if (!layerNorm) return v;
      const m = v.reduce((a, x) => a + x, 0) / d;
      return v.map((x) => x - m);
    };
    let rho = centreIf(gn).map((v) => v / s);
    if (this.mode === 'tangent') {
      // Through the scale too: ρ = (C(gn) − n0·mean(gn ⊙ n0)) / s, n0 = C(x0)/s.
      const n0 = centreIf(Float64Array.from(resid.subarray(position * d, (position + 1) * d))).map((v) => v / s);
      const m = dot(gn, n0) / d;
      rho = rho.map((v, i) => v - (n0[i] * m) / s);
    }
    const unembedBias = bU ? bU[t.target] - (t.wrong === undefined ? 0 : bU[t.wrong]) : 0;
    return { rho, normBias: this.mode === 'secant' ? dot(beta, u) : 0, unembedBias: this.mode === 'secant' ? unembedBias : 0 };
  }

  async decompose(t: LinearScopeTarget): Promise<Decomposition> {
    const { model } = this;
    const { pos: S } = this.tape.tokens;
    const d = model.spec.dModel;
    const H = model.spec.nHeads;
    const position = t.position ?? S - 1;
    if (!Number.isInteger(position) || position < 0 || position >= S) throw new Error(`LinearScope: position ${position} is outside the prompt [0, ${S})`);
    const [realLogits] = await this.tape.backend.read([this.tape.logits]);
    const logit = metricFor(t, position).evaluate({ shape: [...this.tape.logits.shape], data: realLogits }).value;
    const { rho, normBias, unembedBias } = await this.readout(t, position);

    // Rows: secant [0, x0, x0 at j only …] (affine: row 0 gives the constant parts);
    // tangent [x0, x0 at j only …] (linear: no zero row needed).
    const x0 = this.x0.data;
    const only = (j: number) => {
      const r = new Float32Array(S * d);
      r.set(x0.subarray(j * d, (j + 1) * d), j * d);
      return r;
    };
    const secant = this.mode === 'secant';
    const rows = [...(secant ? [new Float32Array(S * d)] : []), Float32Array.from(x0), ...Array.from({ length: S }, (_, j) => only(j))];
    const first = secant ? 2 : 1; // row of position 0
    const out: LinearPassOutput = this.pass(rows.length).run(this.start, this.upload(rows), position);
    const c = out.components!;
    const finalAt = this.tape.backend.slice(out.resid, 1, position, position + 1);
    const tensors = [finalAt, c.input, ...c.heads.filter((h) => h !== null), ...c.mlps];
    const data = await this.tape.backend.read(tensors);
    const [finals, input] = data;
    let k = 2;
    const labels: string[] = [];
    /** [component][row] ⟨ρ, component output at t⟩ */
    const reads: number[][] = [];
    const readRows = (buf: Float32Array, stride: number, offset: number) => rows.map((_, r) => dot(rho, buf, r * stride + offset));
    labels.push(this.start.hook === hook.residPre(0) ? 'embed' : this.start.hook);
    reads.push(readRows(input, d, 0));
    const headData = c.heads.map((h) => (h === null ? null : data[k++]));
    const mlpData = c.mlps.map(() => data[k++]);
    c.layers.forEach((l, i) => {
      const hd = headData[i];
      if (hd) {
        for (let h = 0; h < H; h++) {
          labels.push(`L${l}H${h}`);
          reads.push(readRows(hd, H * d, h * d));
        }
      }
      labels.push(`L${l}.mlp`);
      reads.push(readRows(mlpData[i], d, 0));
    });
    const constant = normBias + unembedBias;
    const metricOfRow = (r: number) => dot(rho, finals, r * d) + constant;
    // Secant: subtract row 0 (x = 0), the constant part, from every row; tangent rows have none.
    const bias = secant ? metricOfRow(0) : logit - metricOfRow(0);
    const replay = secant ? metricOfRow(1) : logit;
    const perPosition = Array.from({ length: S }, (_, j) => metricOfRow(first + j) - (secant ? metricOfRow(0) : 0));
    const grid = Array.from({ length: S }, (_, j) => reads.map((cr) => cr[first + j] - (secant ? cr[0] : 0)));
    const perComponent = labels.map((_, ci) => grid.reduce((s, row) => s + row[ci], 0));
    let biasTerms: { label: string; value: number }[];
    if (secant) {
      biasTerms = labels.map((label, ci) => ({ label, value: reads[ci][0] }));
      for (const l of c.layers) {
        const bO = model.weights.blocks[l].attn.bO;
        if (bO && c.heads[c.layers.indexOf(l)] !== null) biasTerms.push({ label: `L${l}.attn_bias`, value: dot(rho, await hostWeight(model, bO)) });
      }
      biasTerms.push({ label: 'ln_final_bias', value: normBias }, { label: 'unembed_bias', value: unembedBias });
    } else {
      biasTerms = [{ label: 'taylor_intercept', value: bias }];
    }
    return { position, logit, replay, bias, perPosition, components: labels, grid, perComponent, biasTerms };
  }

  release(): void {
    this.tape.release();
  }
}

/** The split of the start hook's input into the features of a dictionary attached there with its error term (see the header). */
async function startFeatures(scope: LinearScope, pull: HostActivation): Promise<StartFeatures | null> {
  const use = scope.model.dictionaries?.find((u) => u.splice !== false && u.dictionary.config.hookOut === scope.start.hook);
  if (!use) return null;
  const dict = use.dictionary;
  const { dSae, dOut, normalization, label } = dict.config;
  if (normalization !== 'none' || dict.weights.skip) throw new Error(`LinearScope: the input split into the features of ${label} needs a plain decoder (no activation normalisation, no skip connection)`);
  const names = { acts: dictionaryHook.actsPost(scope.start.hook), error: dictionaryHook.error(scope.start.hook) };
  const v = await scope.values([names.acts, names.error]);
  const [decoder, bDec] = await dict.backend.read([dict.weights.decoder, dict.weights.bDec]);
  const items: StartFeatures['items'][number][] = [];
  const bias: number[] = [];
  const error: number[] = [];
  for (let j = 0; j < scope.ids.length; j++) {
    const p = pull.data.subarray(j * dOut, (j + 1) * dOut);
    bias.push(dot(bDec, p));
    error.push(dot(v[names.error].data.subarray(j * dOut, (j + 1) * dOut), p));
    v[names.acts].data.subarray(j * dSae, (j + 1) * dSae).forEach((a, f) => {
      if (a !== 0) items.push({ pos: j, feature: f, activation: a, contribution: a * dot(decoder.subarray(f * dOut, (f + 1) * dOut), p) });
    });
  }
  items.sort((x, y) => Math.abs(y.contribution) - Math.abs(x.contribution));
  return { hook: scope.start.hook, items, bias, error };
}

/** Records x0 (one sequence) for LinearScope. */
export async function recordLinearScope(
  model: Model,
  input: ModelInput,
  options: { readonly mode?: LinearScopeMode; readonly start?: string; readonly prependBos?: boolean } = {},
): Promise<LinearScope> {
  for (const u of model.dictionaries ?? []) {
    const edited = (u.features?.length ?? 0) + (u.steer?.length ?? 0) > 0;
    if (u.splice !== false && (u.errorTerm !== true || edited)) {
      throw new Error(`LinearScope: dictionary ${u.dictionary.config.label} is spliced into ${u.dictionary.config.hookOut} ${edited ? 'with feature edits' : 'without its error term'}, which changes the network; the linear replay does not include it (use dictionarySplice with-error or none)`);
    }
  }
  const clt = model.crossLayerTranscoder;
  if (clt && clt.splice !== false && (clt.errorTerm !== true || (clt.features?.length ?? 0) + (clt.steer?.length ?? 0) > 0)) {
    throw new Error(`LinearScope: the cross-layer transcoder ${clt.clt.label} is spliced into the MLP outputs ${clt.errorTerm === true ? 'with edits' : 'without its error term'}, which changes the network; the linear replay does not include it (use dictionarySplice with-error or none)`);
  }
  const start = options.start ?? hook.residPre(0);
  residStart(model.spec, start); // fails early with a message naming the hook
  const tape = await recordTape(model, input, { logits: 'all', prependBos: options.prependBos });
  if (tape.tokens.batch !== 1) {
    tape.release();
    throw new Error(`LinearScope analyses one sequence, got ${tape.tokens.batch}`);
  }
  const x = tape.value(start);
  const [data] = await tape.backend.read([x]);
  return new Scope(model, options.mode ?? 'secant', start, tape, { shape: [...x.shape], data });
}

export async function linearScope(model: Model, input: ModelInput, options: LinearScopeOptions): Promise<LinearScopeResult> {
  const scope = await recordLinearScope(model, input, options);
  try {
    const dec = await scope.decompose(options);
    const pullBacks = await scope.pullBack(metricFor(options, dec.position), [scope.start.hook, ...(options.pullBackTo ?? [])]);
    const atStart = pullBacks[scope.start.hook];
    const d = model.spec.dModel;
    const decoded: DecodedPullBack[] = [];
    for (let j = 0; j < scope.ids.length; j++) {
      const v = await decodeDirection(model, atStart.data.subarray(j * d, (j + 1) * d), { topK: options.decodeTopK ?? 10 });
      decoded.push({ pos: j, top: v.top, bottom: v.bottom });
    }
    return {
      mode: scope.mode,
      start: scope.start.hook,
      ids: scope.ids,
      target: options.target,
      wrong: options.wrong ?? null,
      ...dec,
      pullBacks,
      decoded,
      features: await startFeatures(scope, atStart),
    };
  } finally {
    scope.release();
  }
}
