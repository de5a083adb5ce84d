/**
 * Attribution graphs (circuit tracing, Ameisen et al. 2025) on the replacement model of
 * `replacement.ts`: nodes are the prompt's active transcoder features, error nodes (one per layer
 * and position), token embeddings (one per position) and the top output logits at the last
 * position (the fewest that cover `logitProbability` of the probability, at most `maxLogits`).
 *
 * Edge A[t][s] is the direct effect of source s on target t through the frozen linear model:
 * one backward pass per target node (batched, one row each) with norm scales and attention
 * patterns frozen and every MLP cut (analysis/grad, `mlp: 'cut'`), seeded at the target —
 * a feature's encoder row at its transcoder's input hook, a logit's demeaned unembedding
 * direction — and read out at every source: a feature's activation times its decoder row · the
 * gradient at its layer's hook_mlp_out, an error node's vector · that gradient, an embedding ·
 * the gradient at hook_embed.
 *
 * Exact linearity: for every target, Σ_s A[t][s] + bias[t] = its value (a feature's
 * pre-activation; a logit minus the mean logit, the quantity softmax sees), where bias[t] collects
 * every constant of the replacement model read out the same way (b_enc, the transcoders' b_dec,
 * b_O, b_V, LayerNorm β, b_U). `checks.maxIdentityError` reports the worst violation.
 */
import type { Tensor } from '../../../gpu/backend.ts';
import { backward } from '../../grad/backward.ts';
import { FROZEN } from '../../grad/linearisation.ts';
import { recordTape } from '../../grad/tape.ts';
import type { Tape } from '../../grad/tape.ts';
import { hook } from '../../hooks/points.ts';
import type { Model } from '../../model/model.ts';
import type { ModelInput } from '../../model/run.ts';
import { hostWeight } from '../host-weights.ts';
import type { GraphScores, NodeLayout, PruneResult } from './influence.ts';
import { graphScores, nodeCount, prune } from './influence.ts';
import type { ActiveFeature, GraphTranscoder, ReplacementLayer } from './replacement.ts';
import { replacementLayers, transcodersByLayer } from './replacement.ts';

export interface AttributionGraphOptions {
  /** Per-layer transcoders; a layer without one is a single error node per position. */
  readonly transcoders: readonly GraphTranscoder[];
  /** At most this many logit nodes (default 10). */
  readonly maxLogits?: number;
  /** Logit nodes cover this much of the next-token probability (default 0.95). */
  readonly logitProbability?: number;
  /** Keep nodes up to this cumulative share of influence (default 0.8). */
  readonly nodeThreshold?: number;
  /** Keep edges up to this cumulative share of edge influence (default 0.98). */
  readonly edgeThreshold?: number;
  /** Target nodes per backward pass (default 16). */
  readonly batchSize?: number;
  /** Refuse graphs with more nodes than this (the dense matrices grow as n²; default 4000). */
  readonly maxNodes?: number;
  readonly prependBos?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, unit: string) => void;
}

export interface AttributionGraph {
  /** The prompt's token ids. */
  readonly ids: readonly number[];
  readonly layout: NodeLayout;
  readonly features: readonly ActiveFeature[];
  readonly logitTokens: readonly number[];
  readonly logitProbabilities: readonly number[];
  /** n × n, A[target][source]; rows of source-only nodes (errors, embeddings) are 0. */
  readonly adjacency: Float32Array;
  /** Per node: the constant part of its value (targets), 0 for source-only nodes. */
  readonly bias: Float64Array;
  /** Per node: a feature's pre-activation, a logit minus the mean logit; for sources only, an error node's or embedding's norm. */
  readonly values: Float64Array;
  readonly scores: GraphScores;
  readonly pruned: PruneResult;
  readonly checks: { readonly maxIdentityError: number };
}

/** Bytes the dense matrices of an n-node graph take at their peak (adjacency, pruned copy, three float64 work matrices, masks). */
export function graphMatrixBytes(nodes: number): number {
  return nodes * nodes * (4 + 4 + 3 * 8 + 1);
}

/** The smallest set of top tokens whose probability reaches `mass` (at most `max`), from last-position logits. */
export function salientLogits(logits: Float32Array, max: number, mass: number): { ids: number[]; probabilities: number[] } {
  let top = -Infinity;
  for (const v of logits) top = Math.max(top, v);
  let z = 0;
  for (const v of logits) z += Math.exp(v - top);
  const order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a]).slice(0, max);
  const ids: number[] = [];
  const probabilities: number[] = [];
  let cumulative = 0;
  for (const id of order) {
    const p = Math.exp(logits[id] - top) / z;
    ids.push(id);
    probabilities.push(p);
    cumulative += p;
    if (cumulative >= mass) break;
  }
  return { ids, probabilities };
}

interface BiasSite {
  readonly hook: string;
  readonly bias: Float32Array;
}

/** Every constant of the frozen replacement model, as (hook whose gradient it meets, vector). */
async function biasSites(model: Model, layers: readonly ReplacementLayer[]): Promise<BiasSite[]> {
  const { weights, spec } = model;
  const read = async (t: Tensor | undefined) => (t ? hostWeight(model, t) : null);
  const sites: BiasSite[] = [];
  const push = (hookName: string, bias: Float32Array | null) => {
    if (bias && bias.some((v) => v !== 0)) sites.push({ hook: hookName, bias });
  };
  for (let l = 0; l < spec.nLayers; l++) {
    const w = weights.blocks[l];
    push(hook.attnOut(l), await read(w.attn.bO));
    push(hook.v(l), await read(w.attn.bV));
    // LayerNorm's hook_normalized is its full output, so β meets the gradient there.
    if (spec.normalization === 'layernorm') {
      push(hook.lnNormalized(l, 1), await read(w.ln1?.b));
      push(hook.lnNormalized(l, 2), await read(w.ln2?.b));
    }
    const t = layers[l].transcoder;
    if (t) push(hook.mlpOut(l), t.bDec);
  }
  if (spec.normalization === 'layernorm') push(hook.lnFinalNormalized, await read(weights.lnFinal.b));
  return sites;
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException('attribution graph cancelled', 'AbortError');
}

function dot(a: Float32Array, ai: number, b: Float32Array, bi: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[ai + i] * b[bi + i];
  return s;
}

/** max over target nodes (features, logits) of |Σ_s A[t][s] + bias[t] − value[t]|. */
export function identityError(g: Pick<AttributionGraph, 'adjacency' | 'bias' | 'values' | 'layout'>): number {
  const n = g.values.length;
  let worst = 0;
  const check = (t: number) => {
    let s = g.bias[t];
    for (let j = 0; j < n; j++) s += g.adjacency[t * n + j];
    worst = Math.max(worst, Math.abs(s - g.values[t]));
  };
  for (let t = 0; t < g.layout.features; t++) check(t);
  for (let t = n - g.layout.logits; t < n; t++) check(t);
  return worst;
}

export async function attributionGraph(model: Model, input: ModelInput, options: AttributionGraphOptions): Promise<AttributionGraph> {
  const { spec } = model;
  const d = spec.dModel;
  const V = spec.dVocab;
  const byLayer = transcodersByLayer(spec, options.transcoders);
  const batchSize = options.batchSize ?? 16;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`attribution graph: batchSize must be a positive integer, got ${batchSize}`);

  // 1. The prompt's run: transcoder inputs, MLP outputs, embeddings, last logits.
  const tape = await recordTape(model, input, { logits: 'last', prependBos: options.prependBos });
  let ids: number[];
  let pos: number;
  let inputs: Map<string, Float32Array>;
  let mlpOut: Float32Array[];
  let embed: Float32Array;
  let lastLogits: Float32Array;
  try {
    if (tape.tokens.batch !== 1) throw new Error('attribution graph: give one prompt');
    ids = tape.ids[0];
    pos = ids.length;
    const inputHooks = [...new Set(byLayer.flatMap((t) => (t ? [t.inputHook] : [])))];
    const names = [...inputHooks, ...Array.from({ length: spec.nLayers }, (_, l) => hook.mlpOut(l)), hook.embed];
    if (spec.positional === 'learned') names.push(hook.posEmbed);
    const host = await tape.backend.read([...names.map((n) => tape.value(n)), tape.logits]);
    inputs = new Map(inputHooks.map((n, i) => [n, host[i]]));
    mlpOut = host.slice(inputHooks.length, inputHooks.length + spec.nLayers);
    embed = Float32Array.from(host[inputHooks.length + spec.nLayers]);
    if (spec.positional === 'learned') {
      const posEmbed = host[inputHooks.length + spec.nLayers + 1];
      for (let i = 0; i < embed.length; i++) embed[i] += posEmbed[i];
    }
    lastLogits = host[host.length - 1];
  } finally {
    tape.release();
  }

  const { layers, features } = replacementLayers(byLayer, inputs, mlpOut, pos, d);
  const logits = salientLogits(lastLogits, options.maxLogits ?? 10, options.logitProbability ?? 0.95);
  const layout: NodeLayout = { features: features.length, errors: spec.nLayers * pos, embeddings: pos, logits: logits.ids.length };
  const n = nodeCount(layout);
  const maxNodes = options.maxNodes ?? 4000;
  if (n > maxNodes) {
    throw new Error(
      `attribution graph: ${n} nodes (${features.length} active features over ${pos} tokens) exceed maxNodes ${maxNodes}; ` +
        `the dense matrices would take ${(graphMatrixBytes(n) / 2 ** 20).toFixed(0)} MiB — use a shorter prompt or raise maxNodes`,
    );
  }

  // Node values: what each target's incoming edges plus bias must add up to.
  const values = new Float64Array(n);
  features.forEach((f, i) => (values[i] = f.preActivation));
  let meanLogit = 0;
  for (const v of lastLogits) meanLogit += v / V;
  logits.ids.forEach((t, k) => (values[n - layout.logits + k] = lastLogits[t] - meanLogit));

  const adjacency = new Float32Array(n * n);
  const bias = new Float64Array(n);
  const targets = [...features.keys(), ...Array.from({ length: layout.logits }, (_, k) => n - layout.logits + k)];
  const sites = await biasSites(model, layers);
  const bU = model.weights.bUnembed ? await hostWeight(model, model.weights.bUnembed) : null;

  // 2. One backward row per target, on a tape of `batchSize` copies of the prompt.
  const rows = Math.min(batchSize, targets.length);
  const batchTape = await recordTape(model, { ids: Array.from({ length: rows }, () => ids) }, { logits: 'last', prependBos: false });
  const keep = [...batchTape.values.values(), batchTape.logits];
  const total = Math.ceil(targets.length / rows);
  options.onProgress?.(0, total, 'backward passes');
  try {
    for (let start = 0, done = 0; start < targets.length; start += rows, done++) {
      checkAbort(options.signal);
      const batch = targets.slice(start, start + rows);
      const rowValues = await backwardRows(batchTape, batch, rows);
      fillRows(rowValues, batch);
      batchTape.release(keep);
      options.onProgress?.(done + 1, total, 'backward passes');
    }
  } finally {
    batchTape.release();
  }

  async function backwardRows(t: Tape, batch: readonly number[], B: number): Promise<Map<string, Float32Array>> {
    const b = t.backend;
    const seed = new Float32Array(B * V);
    const inject = new Map<string, Float32Array>();
    batch.forEach((node, r) => {
      if (node >= n - layout.logits) {
        const token = logits.ids[node - (n - layout.logits)];
        for (let v = 0; v < V; v++) seed[r * V + v] = -1 / V;
        seed[r * V + token] += 1;
        return;
      }
      const f = features[node];
      const tc = layers[f.layer].transcoder!;
      let x = inject.get(tc.inputHook);
      if (!x) inject.set(tc.inputHook, (x = new Float32Array(B * pos * d)));
      x.set(tc.wEnc.subarray(f.feature * tc.dIn, (f.feature + 1) * tc.dIn), (r * pos + f.pos) * d);
    });
    const wrt = new Set([...Array.from({ length: spec.nLayers }, (_, l) => hook.mlpOut(l)), hook.embed, ...sites.map((s) => s.hook)]);
    const grads = backward({
      tape: t,
      seed: b.upload(seed, [B, 1, V]),
      wrt,
      lin: { ...FROZEN, mlp: 'cut' },
      inject: new Map([...inject].map(([h, x]) => [h, b.upload(x, [B, pos, d])])),
    });
    const names = [...wrt];
    const missing = names.filter((name) => !grads.has(name));
    if (missing.length > 0) throw new Error(`internal: the backward pass did not reach ${missing.join(', ')}`);
    const host = await b.read(names.map((name) => grads.get(name)!));
    const out = new Map(names.map((name, i) => [name, host[i]]));
    out.set('#seed', seed);
    return out;
  }

  function fillRows(grads: Map<string, Float32Array>, batch: readonly number[]): void {
    const gEmbed = grads.get(hook.embed)!;
    const seed = grads.get('#seed')!;
    batch.forEach((node, r) => {
      const row = node * n;
      let constant = 0;
      if (node < layout.features) constant += layers[features[node].layer].transcoder!.bEnc[features[node].feature];
      else if (bU) for (let v = 0; v < V; v++) constant += bU[v] * seed[r * V + v];
      for (let l = 0; l < spec.nLayers; l++) {
        const g = grads.get(hook.mlpOut(l))!;
        for (let p = 0; p < pos; p++) {
          adjacency[row + layout.features + l * pos + p] = dot(layers[l].error, p * d, g, (r * pos + p) * d, d);
        }
      }
      // A feature writes its layer's MLP output and, for cross-layer transcoders, later ones.
      features.forEach((f, j) => {
        let s = 0;
        for (const dec of layers[f.layer].transcoder!.decoders) s += dot(dec.rows, f.feature * d, grads.get(hook.mlpOut(dec.layer))!, (r * pos + f.pos) * d, d);
        adjacency[row + j] = f.activation * s;
      });
      for (let p = 0; p < pos; p++) {
        adjacency[row + layout.features + layout.errors + p] = dot(embed, p * d, gEmbed, (r * pos + p) * d, d);
      }
      for (const site of sites) {
        const g = grads.get(site.hook)!;
        const m = site.bias.length;
        const per = g.length / (rows * pos);
        for (let p = 0; p < pos; p++) constant += dot(site.bias, 0, g, (r * pos + p) * per, m);
      }
      bias[node] = constant;
    });
  }

  const maxIdentityError = identityError({ adjacency, bias, values, layout });
  // Source-only nodes carry their size for display: an error node's norm, an embedding's norm.
  for (let l = 0; l < spec.nLayers; l++) {
    for (let p = 0; p < pos; p++) values[layout.features + l * pos + p] = Math.hypot(...layers[l].error.subarray(p * d, (p + 1) * d));
  }
  for (let p = 0; p < pos; p++) values[layout.features + layout.errors + p] = Math.hypot(...embed.subarray(p * d, (p + 1) * d));

  return {
    ids,
    layout,
    features,
    logitTokens: logits.ids,
    logitProbabilities: logits.probabilities,
    adjacency,
    bias,
    values,
    scores: graphScores(adjacency, layout, logits.probabilities),
    pruned: prune(adjacency, layout, logits.probabilities, options.nodeThreshold ?? 0.8, options.edgeThreshold ?? 0.98),
    checks: { maxIdentityError },
  };
}
