/**
 * The stored form of a dictionary's feature dashboards over one corpus ("feature-dashboards"
 * computes every feature in one pass over the corpus): the method's JSON packed into typed
 * arrays, so a project keeps every feature's dashboard in a few hundred KB instead of one object
 * per token. Token strings go into one table (a vocabulary's worth at most) and are referred to
 * by index. Unpacking gives back the method's JSON for any focused feature, equal to what the
 * method returns with `feature` set to it (dashboard-artifact.test.ts).
 *
 * Only top-k data is kept (contexts, logit weights, neighbours, histogram counts), never the
 * corpus activations. Host-neutral: the app packs the worker's result, the CLI or a notebook can
 * pack the same JSON.
 */
import type { ContextJson, DashboardsJson, FeatureJson, Tok } from './dictionaries.ts';

export const DASHBOARD_ARTIFACT_FORMAT = 'probescope-dashboards-1';

/** Rows of different lengths, flattened: row r is values[start[r] .. start[r + 1]). */
interface Ragged<T> {
  readonly start: Uint32Array;
  readonly values: T;
}

type Floats = Float32Array | Float64Array;
type Indices = Uint16Array | Uint32Array;

export interface PackedDashboards {
  readonly format: typeof DASHBOARD_ARTIFACT_FORMAT;
  readonly dictionary: string;
  readonly hookOut: string;
  readonly dSae: number;
  readonly sequences: number;
  readonly positions: number;
  readonly bins: number;
  /** Every token string the dashboards show, each once. */
  readonly tokens: readonly string[];
  /** [dSae, 3]: density, max activation, mean activation. */
  readonly stats: Float64Array;
  /** [dSae, bins] histogram counts (the edges follow from the max activation). */
  readonly histogram: Uint32Array;
  /** Contexts per feature; each context: sequence, position, focus, its activation, and its window. */
  readonly contexts: Ragged<Uint32Array>;
  readonly contextActivation: Floats;
  readonly windows: Ragged<Indices>;
  readonly windowActs: Floats;
  /** null when the dictionary does not write the residual stream. */
  readonly topLogits: PackedTokens | null;
  readonly bottomLogits: PackedTokens | null;
  readonly neighbours: Ragged<Uint32Array>;
  readonly neighbourCosines: Floats;
}

interface PackedTokens {
  readonly ids: Ragged<Uint32Array>;
  readonly strings: Indices;
  readonly values: Floats;
}

/** Float32 when every value survives the round trip (activations read back from f32 tensors), else Float64. */
function floats(values: readonly number[]): Floats {
  const f32 = Float32Array.from(values);
  return f32.every((v, i) => v === values[i] || (Number.isNaN(v) && Number.isNaN(values[i]))) ? f32 : Float64Array.from(values);
}

function starts(lengths: readonly number[]): Uint32Array {
  const start = new Uint32Array(lengths.length + 1);
  lengths.forEach((n, r) => (start[r + 1] = start[r] + n));
  return start;
}

function ragged(rows: readonly (readonly number[])[]): Ragged<Uint32Array> {
  const start = starts(rows.map((r) => r.length));
  const values = new Uint32Array(start[rows.length]);
  rows.forEach((row, r) => values.set(row, start[r]));
  return { start, values };
}

function row<T extends ArrayLike<number>>(r: Ragged<T>, i: number): number[] {
  return Array.from({ length: r.start[i + 1] - r.start[i] }, (_, k) => r.values[r.start[i] + k]);
}

class TokenTable {
  readonly strings: string[] = [];
  private readonly index = new Map<string, number>();
  of(token: string): number {
    let i = this.index.get(token);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(token);
      this.index.set(token, i);
    }
    return i;
  }
  indices(values: readonly number[]): Indices {
    return this.strings.length <= 0x10000 ? Uint16Array.from(values) : Uint32Array.from(values);
  }
}

function packTokens(lists: readonly (readonly Tok[])[], table: TokenTable): PackedTokens {
  const all = lists.flat();
  return { ids: ragged(lists.map((l) => l.map((t) => t.id))), strings: table.indices(all.map((t) => table.of(t.token))), values: floats(all.map((t) => t.value)) };
}

function unpackTokens(p: PackedTokens, tokens: readonly string[], f: number): Tok[] {
  const at = p.ids.start[f];
  return row(p.ids, f).map((id, k) => ({ id, token: tokens[p.strings[at + k]], value: p.values[at + k] }));
}

export function packDashboards(d: DashboardsJson): PackedDashboards {
  const features = d.features;
  if (features.length !== d.dSae || features.some((f, i) => f.feature !== i)) throw new Error(`dashboards of ${d.dictionary}: expected features 0 … ${d.dSae - 1} in order`);
  const bins = features[0]?.histogram.counts.length ?? 0;
  const table = new TokenTable();
  const contexts = features.flatMap((f) => f.contexts);
  const withLogits = features.every((f) => f.topLogits !== null && f.bottomLogits !== null);
  return {
    format: DASHBOARD_ARTIFACT_FORMAT,
    dictionary: d.dictionary,
    hookOut: d.hookOut,
    dSae: d.dSae,
    sequences: d.sequences,
    positions: d.positions,
    bins,
    stats: Float64Array.from(features.flatMap((f) => [f.density, f.maxActivation, f.meanActivation])),
    histogram: Uint32Array.from(features.flatMap((f) => f.histogram.counts)),
    contexts: ragged(features.map((f) => f.contexts.flatMap((c) => [c.sequence, c.position, c.focus]))),
    contextActivation: floats(contexts.map((c) => c.activation)),
    windows: { start: starts(contexts.map((c) => c.tokens.length)), values: table.indices(contexts.flatMap((c) => c.tokens.map((t) => table.of(t)))) },
    windowActs: floats(contexts.flatMap((c) => c.acts)),
    topLogits: withLogits ? packTokens(features.map((f) => f.topLogits!), table) : null,
    bottomLogits: withLogits ? packTokens(features.map((f) => f.bottomLogits!), table) : null,
    neighbours: ragged(features.map((f) => f.neighbours.map((n) => n.feature))),
    neighbourCosines: floats(features.flatMap((f) => f.neighbours.map((n) => n.cosine))),
    tokens: table.strings,
  };
}

function unpackFeature(p: PackedDashboards, f: number): FeatureJson {
  const max = p.stats[3 * f + 1];
  const meta = row(p.contexts, f);
  const first = p.contexts.start[f] / 3;
  const contexts: ContextJson[] = Array.from({ length: meta.length / 3 }, (_, k) => {
    const c = first + k;
    const window = row(p.windows, c);
    const at = p.windows.start[c];
    return {
      sequence: meta[3 * k],
      position: meta[3 * k + 1],
      activation: p.contextActivation[c],
      tokens: window.map((t) => p.tokens[t]),
      acts: Array.from(p.windowActs.subarray(at, at + window.length)),
      focus: meta[3 * k + 2],
    };
  });
  const cosAt = p.neighbours.start[f];
  return {
    feature: f,
    density: p.stats[3 * f],
    maxActivation: max,
    meanActivation: p.stats[3 * f + 2],
    contexts,
    // The same expression featureDashboards computes the edges with, so they come back exactly.
    histogram: { edges: Array.from({ length: p.bins + 1 }, (_, i) => (max * i) / p.bins), counts: Array.from(p.histogram.subarray(f * p.bins, (f + 1) * p.bins)) },
    topLogits: p.topLogits && unpackTokens(p.topLogits, p.tokens, f),
    bottomLogits: p.bottomLogits && unpackTokens(p.bottomLogits, p.tokens, f),
    neighbours: row(p.neighbours, f).map((feature, k) => ({ feature, cosine: p.neighbourCosines[cosAt + k] })),
  };
}

/** The method's JSON again, focused on `focus`. */
export function unpackDashboards(p: PackedDashboards, focus: number): DashboardsJson {
  if (p.format !== DASHBOARD_ARTIFACT_FORMAT) throw new Error(`stored dashboards: format ${String(p.format)}, expected ${DASHBOARD_ARTIFACT_FORMAT}`);
  if (!Number.isInteger(focus) || focus < 0 || focus >= p.dSae) throw new Error(`feature ${focus} is outside [0, ${p.dSae})`);
  return {
    dictionary: p.dictionary,
    hookOut: p.hookOut,
    dSae: p.dSae,
    sequences: p.sequences,
    positions: p.positions,
    focus,
    features: Array.from({ length: p.dSae }, (_, f) => unpackFeature(p, f)),
  };
}

/** Bytes of the typed arrays plus the UTF-16 token strings (what IndexedDB stores, within its per-record overhead). */
export function packedBytes(p: PackedDashboards): number {
  const arrays: (ArrayBufferView | null)[] = [p.stats, p.histogram, p.contexts.start, p.contexts.values, p.contextActivation, p.windows.start, p.windows.values, p.windowActs, p.neighbours.start, p.neighbours.values, p.neighbourCosines];
  for (const t of [p.topLogits, p.bottomLogits]) if (t) arrays.push(t.ids.start, t.ids.values, t.strings, t.values);
  return arrays.reduce((n, a) => n + (a?.byteLength ?? 0), 0) + p.tokens.reduce((n, t) => n + 2 * t.length, 0);
}

/**
 * What a stored artifact is of: the model, the dictionary, the corpus (the model's seeded samples:
 * count, length, seed) and the settings. Two runs with equal keys compute equal dashboards.
 */
export interface DashboardKey {
  /** The model's content hash when known, else its name. */
  readonly model: string;
  /** A built-in reference, or an opened folder's name and content digest. */
  readonly dictionary: string;
  readonly corpus: { readonly samples: number; readonly length: number; readonly seed: number };
  readonly topContexts: number;
}

/** One string per key, fields in a fixed order. */
export function dashboardKeyString(k: DashboardKey): string {
  return JSON.stringify([DASHBOARD_ARTIFACT_FORMAT, k.model, k.dictionary, k.corpus.samples, k.corpus.length, k.corpus.seed, k.topContexts]);
}
