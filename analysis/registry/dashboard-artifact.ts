/**
 * The stored form of a dictionary's feature dashboards over one corpus ("feature-dashboards"
 * computes every feature in one pass over the corpus): the method's JSON packed into typed
 * arrays, so a project keeps every feature's dashboard in a few hundred KB instead of one object
 * per token.
 *
 * The features are packed in chunks of consecutive features (DASHBOARD_CHUNK_FEATURES), each
 * chunk self-contained (its own token-string table), plus a small header of what every feature
 * shares. Showing feature f reads and unpacks only f's chunk, so choosing a feature costs the
 * same for a 65k-feature Gemma Scope SAE as for a 256-feature one. Unpacking gives back the
 * method's JSON for f, equal to the method's own feature f (dashboard-artifact.test.ts).
 *
 * Only top-k data is kept (contexts, logit weights, neighbours, histogram counts), never the
 * corpus activations. Host-neutral: the app's worker packs the method's result before posting
 * it; the CLI or a notebook can pack the same JSON.
 */
import type { ContextJson, DashboardsJson, FeatureJson, Tok } from './dictionaries.ts';

/** The header's format: chunked features (stored from schema version 4 on). */
export const DASHBOARD_CHUNKS_FORMAT = 'probescope-dashboards-2';
/** The one-block layout of schema version 3 (every feature in one record), read only to migrate it. */
export const DASHBOARD_BLOCK_FORMAT = 'probescope-dashboards-1';
/** Features per chunk: a chunk of the built-in SAEs' default corpus is about 80 KB. */
export const DASHBOARD_CHUNK_FEATURES = 64;

/** Rows of different lengths, flattened: row r is values[start[r] .. start[r + 1]). */
interface Ragged<T> {
  readonly start: Uint32Array;
  readonly values: T;
}

type Floats = Float32Array | Float64Array;
type Indices = Uint16Array | Uint32Array;

interface PackedTokens {
  readonly ids: Ragged<Uint32Array>;
  readonly strings: Indices;
  readonly values: Floats;
}

/** The packed arrays of consecutive features; row r of every per-feature array is feature first + r. */
interface PackedArrays {
  readonly bins: number;
  /** Every token string these features show, each once. */
  readonly tokens: readonly string[];
  /** [features, 3]: density, max activation, mean activation. */
  readonly stats: Float64Array;
  /** [features, bins] histogram counts (the edges follow from the max activation). */
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

/** Features first … first + count − 1 of a dictionary, packed. */
export interface PackedChunk extends PackedArrays {
  readonly first: number;
  readonly count: number;
}

/** What every feature of the dashboards shares, and how they are chunked. */
export interface DashboardsHeader {
  readonly format: typeof DASHBOARD_CHUNKS_FORMAT;
  readonly dictionary: string;
  readonly hookOut: string;
  readonly dSae: number;
  readonly sequences: number;
  readonly positions: number;
  /** Chunk c holds features c · chunkFeatures … (c + 1) · chunkFeatures − 1. */
  readonly chunkFeatures: number;
  readonly chunks: number;
}

export interface ChunkedDashboards {
  readonly header: DashboardsHeader;
  readonly chunks: readonly PackedChunk[];
}

/** Schema version 3's record: every feature of the dictionary in one block. */
export interface PackedBlock extends PackedArrays {
  readonly format: typeof DASHBOARD_BLOCK_FORMAT;
  readonly dictionary: string;
  readonly hookOut: string;
  readonly dSae: number;
  readonly sequences: number;
  readonly positions: number;
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

function unpackTokens(p: PackedTokens, tokens: readonly string[], r: number): Tok[] {
  const at = p.ids.start[r];
  return row(p.ids, r).map((id, k) => ({ id, token: tokens[p.strings[at + k]], value: p.values[at + k] }));
}

/**
 * Packs consecutive features (ids first, first + 1, …). Every typed array owns its buffer, so
 * the worker can transfer them to the page instead of copying.
 */
function packChunk(features: readonly FeatureJson[], first: number, bins: number, withLogits: boolean): PackedChunk {
  const table = new TokenTable();
  const contexts = features.flatMap((f) => f.contexts);
  return {
    first,
    count: features.length,
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

/** Feature `first + r` from row r of the packed arrays. */
function unpackRow(p: PackedArrays, r: number, feature: number): FeatureJson {
  const max = p.stats[3 * r + 1];
  const meta = row(p.contexts, r);
  const firstContext = p.contexts.start[r] / 3;
  const contexts: ContextJson[] = Array.from({ length: meta.length / 3 }, (_, k) => {
    const c = firstContext + k;
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
  const cosAt = p.neighbours.start[r];
  return {
    feature,
    density: p.stats[3 * r],
    maxActivation: max,
    meanActivation: p.stats[3 * r + 2],
    contexts,
    // The same expression featureDashboards computes the edges with, so they come back exactly.
    histogram: { edges: Array.from({ length: p.bins + 1 }, (_, i) => (max * i) / p.bins), counts: Array.from(p.histogram.subarray(r * p.bins, (r + 1) * p.bins)) },
    topLogits: p.topLogits && unpackTokens(p.topLogits, p.tokens, r),
    bottomLogits: p.bottomLogits && unpackTokens(p.bottomLogits, p.tokens, r),
    neighbours: row(p.neighbours, r).map((feature, k) => ({ feature, cosine: p.neighbourCosines[cosAt + k] })),
  };
}

function chunked(meta: Omit<DashboardsHeader, 'format' | 'chunkFeatures' | 'chunks'>, chunkFeatures: number, feature: (f: number) => FeatureJson, bins: number, withLogits: boolean): ChunkedDashboards {
  if (!Number.isInteger(chunkFeatures) || chunkFeatures < 1) throw new Error(`dashboards of ${meta.dictionary}: chunkFeatures must be a positive integer, got ${chunkFeatures}`);
  const n = Math.ceil(meta.dSae / chunkFeatures);
  const chunks = Array.from({ length: n }, (_, c) => {
    const first = c * chunkFeatures;
    const ids = Array.from({ length: Math.min(chunkFeatures, meta.dSae - first) }, (_, k) => first + k);
    return packChunk(ids.map(feature), first, bins, withLogits);
  });
  return { header: { format: DASHBOARD_CHUNKS_FORMAT, ...meta, chunkFeatures, chunks: n }, chunks };
}

/** Packs the method's result (every feature, in order) into a header and chunks. */
export function packDashboards(d: DashboardsJson, chunkFeatures = DASHBOARD_CHUNK_FEATURES): ChunkedDashboards {
  const features = d.features;
  if (features.length !== d.dSae || features.some((f, i) => f.feature !== i)) throw new Error(`dashboards of ${d.dictionary}: expected features 0 … ${d.dSae - 1} in order`);
  const bins = features[0]?.histogram.counts.length ?? 0;
  const withLogits = features.every((f) => f.topLogits !== null && f.bottomLogits !== null);
  const meta = { dictionary: d.dictionary, hookOut: d.hookOut, dSae: d.dSae, sequences: d.sequences, positions: d.positions };
  return chunked(meta, chunkFeatures, (f) => features[f], bins, withLogits);
}

/** Schema version 3's one-block record, re-packed into chunks (one chunk's features unpacked at a time). */
export function chunkBlock(p: PackedBlock, chunkFeatures = DASHBOARD_CHUNK_FEATURES): ChunkedDashboards {
  if (p.format !== DASHBOARD_BLOCK_FORMAT) throw new Error(`stored dashboards: format ${String(p.format)}, expected ${DASHBOARD_BLOCK_FORMAT}`);
  const meta = { dictionary: p.dictionary, hookOut: p.hookOut, dSae: p.dSae, sequences: p.sequences, positions: p.positions };
  return chunked(meta, chunkFeatures, (f) => unpackRow(p, f, f), p.bins, p.topLogits !== null && p.bottomLogits !== null);
}

/** The chunk that holds feature `f`. */
export function chunkOf(h: DashboardsHeader, f: number): number {
  if (h.format !== DASHBOARD_CHUNKS_FORMAT) throw new Error(`stored dashboards: format ${String(h.format)}, expected ${DASHBOARD_CHUNKS_FORMAT}`);
  if (!Number.isInteger(f) || f < 0 || f >= h.dSae) throw new Error(`feature ${f} is outside [0, ${h.dSae})`);
  return Math.floor(f / h.chunkFeatures);
}

/** Feature `f`'s dashboard from the chunk holding it. */
export function unpackFeature(chunk: PackedChunk, f: number): FeatureJson {
  const r = f - chunk.first;
  if (!Number.isInteger(f) || r < 0 || r >= chunk.count) throw new Error(`feature ${f} is not in the chunk of features ${chunk.first} … ${chunk.first + chunk.count - 1}`);
  return unpackRow(chunk, r, f);
}

/** The method's JSON focused on one feature, holding that feature only (what a view shows and pins). */
export function focusedDashboards(h: DashboardsHeader, feature: FeatureJson): DashboardsJson {
  return { dictionary: h.dictionary, hookOut: h.hookOut, dSae: h.dSae, sequences: h.sequences, positions: h.positions, focus: feature.feature, features: [feature] };
}

/** Bytes of a chunk's typed arrays plus its UTF-16 token strings (what IndexedDB stores, within its per-record overhead). */
export function chunkBytes(p: PackedChunk): number {
  const arrays: ArrayBufferView[] = [p.stats, p.histogram, p.contexts.start, p.contexts.values, p.contextActivation, p.windows.start, p.windows.values, p.windowActs, p.neighbours.start, p.neighbours.values, p.neighbourCosines];
  for (const t of [p.topLogits, p.bottomLogits]) if (t) arrays.push(t.ids.start, t.ids.values, t.strings, t.values);
  return arrays.reduce((n, a) => n + a.byteLength, 0) + p.tokens.reduce((n, t) => n + 2 * t.length, 0);
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

/** The keys' first field: unchanged since schema version 3, so stored dashboards keep their keys. */
const KEY_SCHEME = 'probescope-dashboards-1';

/** One string per key, fields in a fixed order. */
export function dashboardKeyString(k: DashboardKey): string {
  return JSON.stringify([KEY_SCHEME, k.model, k.dictionary, k.corpus.samples, k.corpus.length, k.corpus.seed, k.topContexts]);
}
