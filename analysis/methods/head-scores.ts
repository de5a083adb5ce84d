/**
 * Head scores (METHODS.md, "Head scores").
 *
 * Attention scores on random tokens repeated twice, x = [r, r] (r: n tokens drawn uniformly with
 * a seeded generator from the vocabulary minus BOS/EOS; `batch` such sequences; a BOS in front
 * only when asked, which shifts every position below by one):
 *   previous-token  mean of pattern[i, i−1] over every position i ≥ 1;
 *   duplicate-token mean of pattern[i, i−n] over the second half;
 *   induction       mean of pattern[i, i−n+1] over the second half;
 * averaged over the batch. Grids are [layer][head] (query heads).
 *
 * Successor score (models with a tokenizer): for the ordinal tasks of successor-tasks.ts, the
 * effective embedding E'[t] = MLP0(W_E[t]) (block 0's MLP, with its input norm, applied to the
 * bare token embedding: no position, no attention), and head h's OV logits
 * W_Uᵀ W_Oʰ W_Vʰ E'[t]. Norms on this path (layer l's ln1, the final norm) are applied as the
 * linear maps they are for a given vector, own scale and gain, without biases, so a constant
 * shared by all inputs cannot decide the ranking. A pair (t, t+1) succeeds when t+1 has the
 * highest OV logit among the task's tokens; score = mean success over all pairs of all usable
 * tasks.
 */
import type { Tensor } from '../../gpu/backend.ts';
import { HookSession } from '../hooks/session.ts';
import { hookOptionsWithStanding } from '../hooks/standing.ts';
import { hook } from '../hooks/points.ts';
import { forwardContext } from '../model/forward.ts';
import { mlpSublayer } from '../model/block.ts';
import type { Model } from '../model/model.ts';
import { run } from '../model/run.ts';
import { seededRandom } from '../model/sampling.ts';
import { tensorScope } from '../model/scope.ts';
import { leftPad } from '../model/tokens.ts';
import type { NormWeights } from '../model/weights.ts';
import type { ResolvedTask } from './successor-tasks.ts';
import { resolveTasks, tokenIndex } from './successor-tasks.ts';

export interface HeadScoresOptions {
  /** Length of the random sequence r (default 20); inputs have 2n tokens (+1 with BOS). */
  readonly n?: number;
  /** Random sequences averaged (default 4). */
  readonly batch?: number;
  readonly seed?: number;
  /** Put the model's BOS token first (default false). */
  readonly prependBos?: boolean;
  /** Compute successor scores when the model has a tokenizer (default true). */
  readonly successor?: boolean;
}

export interface SuccessorScores {
  /** [layer][head]: fraction of ordinal pairs whose successor wins; null when no task is usable. */
  readonly scores: number[][] | null;
  /** Every task, with the items that are not single tokens (those tasks were skipped). */
  readonly tasks: readonly { readonly name: string; readonly used: boolean; readonly pairs: number; readonly missing: readonly string[] }[];
  /** Pairs scored over all used tasks. */
  readonly pairs: number;
}

export interface HeadScoresResult {
  /** [layer][head] */
  readonly previousToken: number[][];
  /** [layer][head] */
  readonly duplicateToken: number[][];
  /** [layer][head] */
  readonly induction: number[][];
  /** null without a tokenizer (or when not asked); `successorSkipped` says why scores are missing. */
  readonly successor: SuccessorScores | null;
  readonly successorSkipped: string | null;
  /** [batch][pos]: the token ids used. */
  readonly ids: number[][];
  readonly n: number;
}

/** [r, r] rows: r drawn uniformly from the vocabulary without BOS/EOS. */
export function repeatedRandomTokens(model: Model, n: number, batch: number, seed: number, prependBos: boolean): number[][] {
  const { dVocab, bosTokenId, eosTokenIds } = model.spec;
  const bos = prependBos ? (bosTokenId ?? null) : null;
  if (prependBos && bos === null) throw new Error(`prependBos: ${model.label} has no BOS token id in its config`);
  const special = new Set([...(bosTokenId === null ? [] : [bosTokenId]), ...eosTokenIds]);
  const allowed = Array.from({ length: dVocab }, (_, i) => i).filter((i) => !special.has(i));
  const random = seededRandom(seed);
  return Array.from({ length: batch }, () => {
    const r = Array.from({ length: n }, () => allowed[Math.floor(random() * allowed.length)]);
    return [...(bos === null ? [] : [bos]), ...r, ...r];
  });
}

/** Mean over batch rows and query positions i of pattern[b, h, i, i − back], per head. */
function diagonalMean(pattern: Float32Array, batch: number, heads: number, S: number, back: number, from: number): number[] {
  return Array.from({ length: heads }, (_, h) => {
    let sum = 0;
    let count = 0;
    for (let b = 0; b < batch; b++) {
      for (let i = from; i < S; i++) {
        sum += pattern[((b * heads + h) * S + i) * S + i - back];
        count++;
      }
    }
    return sum / count;
  });
}

export async function headScores(model: Model, options: HeadScoresOptions = {}): Promise<HeadScoresResult> {
  const n = options.n ?? 20;
  const batch = options.batch ?? 4;
  if (!Number.isInteger(n) || n < 2) throw new Error(`head scores: n must be an integer ≥ 2, got ${n}`);
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`head scores: batch must be a positive integer, got ${batch}`);
  const offset = options.prependBos ? 1 : 0;
  if (2 * n + offset > model.spec.nCtx) {
    throw new Error(`head scores: [r, r] with n = ${n} needs ${2 * n + offset} positions, but ${model.label} has a context of ${model.spec.nCtx}`);
  }
  const ids = repeatedRandomTokens(model, n, batch, options.seed ?? 0, options.prependBos ?? false);
  const { nLayers: L, nHeads: H } = model.spec;
  const S = ids[0].length;
  const out = await run(model, { ids }, { capture: ['blocks.*.attn.hook_pattern'], logits: 'none' });
  const grids = { previousToken: [] as number[][], duplicateToken: [] as number[][], induction: [] as number[][] };
  for (let l = 0; l < L; l++) {
    const p = out.cache[hook.pattern(l)].data;
    grids.previousToken.push(diagonalMean(p, batch, H, S, 1, 1));
    grids.duplicateToken.push(diagonalMean(p, batch, H, S, n, offset + n));
    grids.induction.push(diagonalMean(p, batch, H, S, n - 1, offset + n));
  }
  let successor: SuccessorScores | null = null;
  let successorSkipped: string | null = null;
  if (options.successor === false) successorSkipped = 'not requested';
  else if (!model.tokenizer) successorSkipped = `${model.label} has no tokenizer, so no ordinal tasks can be built`;
  else {
    successor = await successorScores(model, resolveTasks(tokenIndex(model.tokenizer, model.spec.dVocab)));
    if (successor.scores === null) successorSkipped = 'no ordinal task has all its items as single tokens';
  }
  return { ...grids, successor, successorSkipped, ids, n };
}

/** x ↦ norm(x) as a linear map for this x: centred (LayerNorm), divided by its own scale, times the gain. */
function linearNorm(b: Model['backend'], x: Tensor, w: NormWeights<Tensor>, model: Model): Tensor {
  const center = model.spec.normalization === 'layernorm';
  return b.mul(b.normalize(x, b.normScale(x, center, model.spec.normEps), center), w.w);
}

export async function successorScores(model: Model, tasks: readonly ResolvedTask[]): Promise<SuccessorScores> {
  const used = tasks.filter((t) => t.ids.length > 1);
  const report = tasks.map((t) => ({ name: t.name, used: t.ids.length > 1, pairs: Math.max(0, t.ids.length - 1), missing: t.missing }));
  const pairs = used.reduce((a, t) => a + t.ids.length - 1, 0);
  if (used.length === 0) return { scores: null, tasks: report, pairs };
  const allIds = used.flatMap((t) => [...t.ids]);
  const { nLayers: L, nHeads: H, nKvHeads: KV, dHead: dh, dModel: d } = model.spec;
  const T = allIds.length;
  const scope = tensorScope(model.backend);
  const scores: number[][] = [];
  try {
    const b = scope.backend;
    const core = { ...model, backend: b };
    const tokens = leftPad([allIds]);
    const ctx = forwardContext(core, tokens, new HookSession(b, model.hookPoints, hookOptionsWithStanding(model, {})));
    const w0 = model.weights.blocks[0];
    const rows = b.reshape(b.gather(model.weights.embed, tokens.ids), [1, T, d]);
    const embedded = model.spec.embedScale === undefined ? rows : b.scale(rows, model.spec.embedScale);
    const effective = await mlpSublayer(ctx, 0, embedded, w0); // E' [1, T, d]
    const unembedRows = b.gather(model.weights.unembed, Int32Array.from(allIds)); // [T, d]
    for (let l = 0; l < L; l++) {
      const wl = model.weights.blocks[l];
      // Post-norm blocks (OLMo-2) read the stream itself; post-sublayer norms act on each head's write.
      const attnIn = wl.ln1 ? linearNorm(b, effective, wl.ln1, model) : effective;
      const v = b.reshape(b.linear(attnIn, wl.attn.wV), [1, T, KV, 1, dh]);
      const z = b.reshape(b.expand(v, [1, T, KV, H / KV, dh]), [1, T, H, dh]); // query head h reads kv head h / group
      const results = b.headResult(z, wl.attn.wO); // [1, T, H, d]
      const perHead = wl.ln1Post ? linearNorm(b, results, wl.ln1Post, model) : results;
      const logits = b.linear(linearNorm(b, perHead, model.weights.lnFinal, model), unembedRows); // [1, T, H, T]
      const [data] = await model.backend.read([logits]);
      scores.push(Array.from({ length: H }, (_, h) => successRate(data, used, H, h)));
    }
  } finally {
    scope.release();
  }
  return { scores, tasks: report, pairs };
}

/** Fraction of pairs (t_k, t_k+1) of every task where t_k+1 has the top OV logit among the task's tokens. */
function successRate(logits: Float32Array, tasks: readonly ResolvedTask[], H: number, h: number): number {
  const T = tasks.reduce((a, t) => a + t.ids.length, 0);
  let success = 0;
  let pairs = 0;
  let base = 0;
  for (const task of tasks) {
    const m = task.ids.length;
    for (let k = 0; k + 1 < m; k++) {
      const row = ((base + k) * H + h) * T; // input token = task item k
      let best = 0;
      for (let j = 1; j < m; j++) if (logits[row + base + j] > logits[row + base + best]) best = j;
      if (best === k + 1) success++;
      pairs++;
    }
    base += m;
  }
  return pairs ? success / pairs : NaN;
}
