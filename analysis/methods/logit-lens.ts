/**
 * Logit lens (METHODS.md "Logit lens"): for each layer l and position, decode the residual stream
 * through the model's own head, `W_U · norm_final(resid) (+ b_U)`, with the final norm applied
 * afresh (its scale computed from that residual, then ln_final's weight and bias).
 *
 * Entries (axis 0 of `entries` and of `logits`):
 *   readFrom 'resid_pre' (default): blocks.l.hook_resid_pre for l = 0..L−1, then the final
 *     residual blocks.{L−1}.hook_resid_post — L+1 entries; the last equals the model's logits.
 *   readFrom 'resid_post': blocks.l.hook_resid_post for l = 0..L−1 — L entries (the fixtures'
 *     golden (a) uses this); the last again equals the model's logits.
 * Axis order of `logits`: [entry, position, vocab], positions in the order of `positions`.
 */
import type { HostActivation } from '../hooks/interventions.ts';
import { hook } from '../hooks/points.ts';
import { softcapLogits } from '../model/forward.ts';
import { logSumExp } from '../model/loss.ts';
import type { Model } from '../model/model.ts';
import type { ModelInput } from '../model/run.ts';
import { run } from '../model/run.ts';
import { tensorScope } from '../model/scope.ts';
import { oneSequence, resolvePosition } from './sequence.ts';
import type { TargetScore, TokenScore } from './token-scores.ts';
import { extremeIds, rankOf, scoreTokens } from './token-scores.ts';

export type LensSource = 'resid_pre' | 'resid_post';

export interface LogitLensOptions {
  /** Which residual each layer's entry reads (default 'resid_pre', see above). */
  readonly readFrom?: LensSource;
  /** Positions to decode (negative counts from the end); default every position. */
  readonly positions?: readonly number[];
  /** Tokens reported per entry and position (default 10). */
  readonly topK?: number;
  /** Token ids whose rank / probability / logit are reported at every entry and position. */
  readonly targets?: readonly number[];
  /** Also score each position's next input token (`LensReading.next`; null at the last position). */
  readonly nextToken?: boolean;
  /** Also return the decoded logits [entry, position, vocab] (default false: they can be large). */
  readonly keepLogits?: boolean;
  /** For text input: prepend BOS (default: the tokenizer's rule). */
  readonly prependBos?: boolean;
}

export interface LensReading {
  /** Absolute token position. */
  readonly pos: number;
  /** [topK] highest-probability tokens, best first. */
  readonly top: TokenScore[];
  /** [targets] in the order of `options.targets`. */
  readonly targets: TargetScore[];
  /** With `nextToken`: the score of the input token at pos + 1 (null at the last position); else undefined. */
  readonly next?: TargetScore | null;
}

export interface LensEntry {
  /** l for the entry reading layer l's residual; L for the final residual in 'resid_pre' mode. */
  readonly layer: number;
  /** The hook point read. */
  readonly hook: string;
  /** [position] in the order of `LogitLensResult.positions`. */
  readonly readings: LensReading[];
}

export interface LogitLensResult {
  readonly ids: number[];
  readonly readFrom: LensSource;
  /** [position] absolute positions decoded. */
  readonly positions: number[];
  /** [entry] L+1 ('resid_pre') or L ('resid_post') entries. */
  readonly entries: LensEntry[];
  /** [entry, position, vocab] decoded logits, only with keepLogits. */
  readonly logits: HostActivation | null;
}

/** The (layer label, hook) of each lens entry. */
export function lensHooks(nLayers: number, readFrom: LensSource): { layer: number; hook: string }[] {
  if (readFrom === 'resid_post') return Array.from({ length: nLayers }, (_, l) => ({ layer: l, hook: hook.residPost(l) }));
  const pre = Array.from({ length: nLayers }, (_, l) => ({ layer: l, hook: hook.residPre(l) }));
  return [...pre, { layer: nLayers, hook: hook.residPost(nLayers - 1) }];
}

/** Upper bound on decoded floats per backend pass (entries × positions × vocab), to bound memory. */
const MAX_FLOATS_PER_PASS = 1 << 24;

/**
 * The final norm, unembedding and final softcap (Gemma-2) applied afresh to residuals [entry, position, dModel], with the
 * same backend ops in the same order as the forward pass (so the final residual reproduces the
 * model's logits exactly on the same backend).
 */
async function decodeResiduals(model: Model, resid: Float32Array, shape: readonly [number, number, number]): Promise<Float32Array> {
  const { spec, weights } = model;
  const scope = tensorScope(model.backend);
  const b = scope.backend;
  try {
    const x = b.upload(resid, shape);
    const center = spec.normalization === 'layernorm';
    const unit = b.normalize(x, b.normScale(x, center, spec.normEps), center);
    const gained = b.mul(unit, weights.lnFinal.w);
    const normed = center && weights.lnFinal.b ? b.add(gained, weights.lnFinal.b) : gained;
    const [logits] = await model.backend.read([softcapLogits({ spec, backend: b }, b.linear(normed, weights.unembed, weights.bUnembed))]);
    return logits;
  } finally {
    scope.release();
  }
}

export async function logitLens(model: Model, input: ModelInput, options: LogitLensOptions = {}): Promise<LogitLensResult> {
  const { dModel: d, dVocab: V, nLayers } = model.spec;
  const readFrom = options.readFrom ?? 'resid_pre';
  const topK = options.topK ?? 10;
  const targets = options.targets ?? [];
  for (const t of targets) {
    if (!Number.isInteger(t) || t < 0 || t >= V) throw new Error(`logit lens: target token ${t} is outside the vocabulary [0, ${V})`);
  }
  const ids = oneSequence(model, input, options.prependBos, 'logit lens input');
  const S = ids.length;
  const positions = (options.positions ?? ids.map((_, i) => i)).map((p) => resolvePosition(p, S, 'logit lens position'));
  const sources = lensHooks(nLayers, readFrom);
  const { cache } = await run(model, { ids }, { capture: sources.map((s) => s.hook), logits: 'none' });

  const E = sources.length;
  const readings: LensReading[][] = sources.map(() => []);
  const kept = options.keepLogits ? new Float32Array(E * positions.length * V) : null;
  const chunk = Math.max(1, Math.floor(MAX_FLOATS_PER_PASS / (E * V)));
  for (let start = 0; start < positions.length; start += chunk) {
    const part = positions.slice(start, start + chunk);
    const stacked = new Float32Array(E * part.length * d);
    sources.forEach((s, e) => {
      const data = cache[s.hook].data;
      part.forEach((p, i) => stacked.set(data.subarray(p * d, (p + 1) * d), (e * part.length + i) * d));
    });
    const logits = await decodeResiduals(model, stacked, [E, part.length, d]);
    for (let e = 0; e < E; e++) {
      part.forEach((pos, i) => {
        const row = logits.subarray((e * part.length + i) * V, (e * part.length + i + 1) * V);
        const lse = logSumExp(row);
        const top = scoreTokens(model, row, extremeIds(row, topK), lse);
        const ranked = (ids: readonly number[]) => scoreTokens(model, row, ids, lse).map((s) => ({ ...s, rank: rankOf(row, s.id) }));
        const reading: LensReading = { pos, top, targets: ranked(targets) };
        readings[e].push(options.nextToken ? { ...reading, next: pos + 1 < S ? ranked([ids[pos + 1]])[0] : null } : reading);
        kept?.set(row, (e * positions.length + start + i) * V);
      });
    }
  }
  return {
    ids,
    readFrom,
    positions,
    entries: sources.map((s, e) => ({ layer: s.layer, hook: s.hook, readings: readings[e] })),
    logits: kept ? { shape: [E, positions.length, V], data: kept } : null,
  };
}
