/**
 * Feature dashboards (Neuronpedia-style) for every feature of a dictionary over a corpus, computed
 * in one pass over the corpus:
 *   - top-activating contexts: the positions with the largest activation, each with the tokens
 *     around it and the feature's activation on every one of them (for per-token highlighting);
 *   - activation histogram (of the non-zero activations, `bins` equal bins from 0 to the max) and
 *     firing density (fraction of positions where the feature is active);
 *   - logit weights: the top and bottom tokens of W_dec[f] · W_U (direct path to the logits,
 *     no final norm, as Neuronpedia shows them), when the dictionary writes the residual stream;
 *   - nearest features by decoder cosine.
 */
import type { Tensor } from '../../gpu/backend.ts';
import type { Model } from '../model/model.ts';
import { run } from '../model/run.ts';
import { dictionaryHook } from './dictionary.ts';
import type { Dictionary } from './device.ts';

export interface DashboardOptions {
  readonly topContexts?: number;
  /** Tokens shown before / after the activating token. */
  readonly before?: number;
  readonly after?: number;
  readonly bins?: number;
  readonly topLogits?: number;
  readonly neighbours?: number;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export interface FeatureContext {
  readonly sequence: number;
  /** Position of the activating token in its sequence. */
  readonly position: number;
  readonly activation: number;
  /** Token ids of the window, and the feature's activation at each. */
  readonly ids: number[];
  readonly acts: number[];
  /** Index of the activating token within `ids`. */
  readonly focus: number;
}

export interface TokenWeight {
  readonly id: number;
  readonly value: number;
}

export interface FeatureDashboard {
  readonly feature: number;
  readonly density: number;
  readonly maxActivation: number;
  readonly meanActivation: number;
  readonly contexts: FeatureContext[];
  /** Bin edges [bins + 1] from 0 to maxActivation, and counts per bin. */
  readonly histogram: { readonly edges: number[]; readonly counts: number[] };
  readonly topLogits: TokenWeight[] | null;
  readonly bottomLogits: TokenWeight[] | null;
  readonly neighbours: { readonly feature: number; readonly cosine: number }[];
}

export interface Dashboards {
  readonly dictionary: string;
  readonly hookOut: string;
  readonly dSae: number;
  readonly sequences: number;
  readonly positions: number;
  readonly features: FeatureDashboard[];
}

/** Keeps the n largest items by `key` (small n: a sorted array). */
class TopN<T> {
  readonly items: { key: number; value: T }[] = [];
  constructor(private readonly n: number) {}
  wouldKeep(key: number): boolean {
    return this.items.length < this.n || key > this.items[this.items.length - 1].key;
  }
  add(key: number, value: T): void {
    if (!this.wouldKeep(key)) return;
    let i = this.items.findIndex((it) => key > it.key);
    if (i < 0) i = this.items.length;
    this.items.splice(i, 0, { key, value });
    if (this.items.length > this.n) this.items.pop();
  }
}

export async function featureDashboards(model: Model, dict: Dictionary, corpus: readonly (readonly number[])[], options: DashboardOptions = {}): Promise<Dashboards> {
  const { dSae, hookOut, dOut, label } = dict.config;
  const nTop = options.topContexts ?? 10;
  const before = options.before ?? 8;
  const after = options.after ?? 3;
  const actsName = dictionaryHook.actsPost(hookOut);
  const tops = Array.from({ length: dSae }, () => new TopN<FeatureContext>(nTop));
  const values: number[][] = Array.from({ length: dSae }, () => []);
  let positions = 0;
  for (const [s, ids] of corpus.entries()) {
    options.signal?.throwIfAborted();
    const r = await run(model, { ids }, { capture: [actsName], logits: 'none', dictionaries: [{ dictionary: dict, splice: false }] });
    const a = r.cache[actsName].data;
    const S = ids.length;
    for (let p = 0; p < S; p++) {
      for (let f = 0; f < dSae; f++) {
        const v = a[p * dSae + f];
        if (v === 0) continue;
        values[f].push(v);
        if (!tops[f].wouldKeep(v)) continue;
        const lo = Math.max(0, p - before);
        const hi = Math.min(S, p + after + 1);
        const acts: number[] = [];
        for (let q = lo; q < hi; q++) acts.push(a[q * dSae + f]);
        tops[f].add(v, { sequence: s, position: p, activation: v, ids: ids.slice(lo, hi), acts, focus: p - lo });
      }
    }
    positions += S;
    options.onProgress?.(s + 1, corpus.length);
  }
  const logits = dOut === model.spec.dModel ? await logitWeights(model, dict, options.topLogits ?? 10) : null;
  const neighbours = await nearestByDecoder(dict, options.neighbours ?? 5);
  const bins = options.bins ?? 20;
  const features: FeatureDashboard[] = [];
  for (let f = 0; f < dSae; f++) {
    const v = values[f];
    const max = v.reduce((m, x) => Math.max(m, x), 0);
    const counts = new Array<number>(bins).fill(0);
    for (const x of v) counts[Math.min(bins - 1, Math.floor((x / max) * bins))]++;
    features.push({
      feature: f,
      density: positions > 0 ? v.length / positions : 0,
      maxActivation: max,
      meanActivation: v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0,
      contexts: tops[f].items.map((it) => it.value),
      histogram: { edges: Array.from({ length: bins + 1 }, (_, i) => (max * i) / bins), counts },
      topLogits: logits ? logits.top[f] : null,
      bottomLogits: logits ? logits.bottom[f] : null,
      neighbours: neighbours[f],
    });
  }
  return { dictionary: label, hookOut, dSae, sequences: corpus.length, positions, features };
}

/** Top and bottom `n` tokens of W_dec[f] · W_U for every feature (rows of the dictionary in chunks). */
async function logitWeights(model: Model, dict: Dictionary, n: number): Promise<{ top: TokenWeight[][]; bottom: TokenWeight[][] }> {
  const b = dict.backend;
  const { dSae, dOut } = dict.config;
  const V = model.spec.dVocab;
  const top: TokenWeight[][] = [];
  const bottom: TokenWeight[][] = [];
  const chunk = Math.max(1, Math.floor(4_000_000 / V));
  for (let start = 0; start < dSae; start += chunk) {
    const end = Math.min(dSae, start + chunk);
    const rows = b.slice(dict.weights.decoder, 0, start, end);
    const out = b.linear(b.reshape(rows, [end - start, dOut]), model.weights.unembed);
    const [data] = await b.read([out]);
    b.dispose(out);
    b.dispose(rows);
    for (let r = 0; r < end - start; r++) {
      const row = data.subarray(r * V, (r + 1) * V);
      const order = Array.from({ length: V }, (_, i) => i).sort((i, j) => row[j] - row[i] || i - j);
      top.push(order.slice(0, n).map((id) => ({ id, value: row[id] })));
      bottom.push(order.slice(-n).reverse().map((id) => ({ id, value: row[id] })));
    }
  }
  return { top, bottom };
}

/** For every feature, the `n` others with the largest decoder cosine. */
async function nearestByDecoder(dict: Dictionary, n: number): Promise<{ feature: number; cosine: number }[][]> {
  const b = dict.backend;
  const { dSae, dOut } = dict.config;
  const [dec] = await b.read([dict.weights.decoder]);
  const unit = new Float32Array(dec.length);
  for (let f = 0; f < dSae; f++) {
    let norm = 0;
    for (let o = 0; o < dOut; o++) norm += dec[f * dOut + o] ** 2;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let o = 0; o < dOut; o++) unit[f * dOut + o] = dec[f * dOut + o] * inv;
  }
  const all = b.upload(unit, [dSae, dOut]);
  const out: { feature: number; cosine: number }[][] = [];
  const chunk = Math.max(1, Math.floor(4_000_000 / dSae));
  try {
    for (let start = 0; start < dSae; start += chunk) {
      const end = Math.min(dSae, start + chunk);
      const rows: Tensor = b.upload(unit.slice(start * dOut, end * dOut), [end - start, dOut]);
      const cos = b.linear(rows, all);
      const [data] = await b.read([cos]);
      b.dispose(cos);
      b.dispose(rows);
      for (let r = 0; r < end - start; r++) {
        const f = start + r;
        const best = new TopN<number>(n);
        for (let g = 0; g < dSae; g++) if (g !== f) best.add(data[r * dSae + g], g);
        out.push(best.items.map((it) => ({ feature: it.value, cosine: it.key })));
      }
    }
  } finally {
    b.dispose(all);
  }
  return out;
}

/** "Which features fire here?": the features active at `position` of a prompt, largest first. */
export async function featuresAt(model: Model, dict: Dictionary, ids: readonly number[], position: number, n = 20): Promise<{ feature: number; activation: number }[]> {
  if (!Number.isInteger(position) || position < 0 || position >= ids.length) {
    throw new Error(`position ${position} is outside the prompt's ${ids.length} tokens`);
  }
  const name = dictionaryHook.actsPost(dict.config.hookOut);
  const r = await run(model, { ids }, { capture: [name], logits: 'none', dictionaries: [{ dictionary: dict, splice: false }] });
  const dSae = dict.config.dSae;
  const row = r.cache[name].data.subarray(position * dSae, (position + 1) * dSae);
  const best = new TopN<number>(n);
  row.forEach((v, f) => v > 0 && best.add(v, f));
  return best.items.map((it) => ({ feature: it.value, activation: it.key }));
}

/**
 * Search by token: features whose top logit weights include `token` (largest weight first), and
 * features whose top contexts activate on `token` (largest activation first).
 */
export function featuresForToken(dashboards: Dashboards, token: number, n = 20): { byLogit: { feature: number; value: number }[]; byContext: { feature: number; value: number }[] } {
  const byLogit = new TopN<number>(n);
  const byContext = new TopN<number>(n);
  for (const d of dashboards.features) {
    const hit = d.topLogits?.find((t) => t.id === token);
    if (hit) byLogit.add(hit.value, d.feature);
    const ctx = d.contexts.find((c) => c.ids[c.focus] === token);
    if (ctx) byContext.add(ctx.activation, d.feature);
  }
  const list = (t: TopN<number>) => t.items.map((it) => ({ feature: it.value, value: it.key }));
  return { byLogit: list(byLogit), byContext: list(byContext) };
}
