import { visibleToken } from '../formats/token-label.ts';

/**
 * Views: the plottable shapes a step result offers, independent of how they are drawn. A step
 * adapter turns its result into named views; a figure cell picks one and a figure type. Keeping
 * this layer between results and Plotly lets one figure builder serve every method, and gives
 * CSV export a natural table for each view.
 *
 *   grid   – a matrix z[y][x] (layer × head, layer × position …): heatmap, table, or bar/line
 *            with one trace per row
 *   series – traces over shared x labels (per-layer accuracy, target rank by layer): bar, line, table
 *   table  – rows of cells: table only
 *   graph  – nodes placed by token position (x) and layer (y) with weighted edges (attribution
 *            graphs): a node-link figure, or its edges as a table
 *   scatter – one quantity against another of the same units, a point per labelled item (an
 *            estimate against its exact value): a scatter plot over the line y = x, or a table
 */

export const FIGURE_TYPES = ['heatmap', 'bar', 'line', 'table', 'graph', 'scatter'] as const;
export type FigureType = (typeof FIGURE_TYPES)[number];

export type ViewKind = 'grid' | 'series' | 'table' | 'graph' | 'scatter';

/** Figure types that can draw each kind of view. */
export const FIGURE_TYPES_FOR: Readonly<Record<ViewKind, readonly FigureType[]>> = {
  grid: ['heatmap', 'table', 'bar', 'line'],
  series: ['bar', 'line', 'table'],
  table: ['table'],
  graph: ['graph', 'table'],
  scatter: ['scatter', 'table'],
};

export interface ViewAxis {
  readonly title: string;
  /** Category labels; unique within the axis (Plotly merges equal categories). */
  readonly labels: readonly string[];
}

export interface GridView {
  readonly kind: 'grid';
  readonly title: string;
  readonly x: ViewAxis;
  readonly y: ViewAxis;
  /** [y][x]; null where undefined (e.g. NaN). */
  readonly z: readonly (readonly (number | null)[])[];
  /** Optional [y][x] text drawn in/over the cells (e.g. the top-1 token). */
  readonly text?: readonly (readonly string[])[];
  /** Optional [y][x] line shown on hover instead of `text` (e.g. a lens cell's top tokens). */
  readonly hover?: readonly (readonly string[])[];
  /** What z measures (colour bar title). */
  readonly zTitle: string;
  /** Signed values get a diverging colour scale centred on 0. */
  readonly signed: boolean;
  /** Unsigned values where small is strong (ranks: 0 = the top token): the sequential scale dark for small values. */
  readonly smallIsStrong?: boolean;
  /**
   * Fixed colour limits [min, max], for grids that must be read on one scale (attribution
   * patching beside exact patching); default: from the grid's own values.
   */
  readonly range?: readonly [number, number];
}

export interface SeriesView {
  readonly kind: 'series';
  readonly title: string;
  readonly x: ViewAxis;
  readonly yTitle: string;
  readonly traces: readonly { readonly name: string; readonly values: readonly (number | null)[] }[];
}

export type TableCell = string | number | null;

export interface TableView {
  readonly kind: 'table';
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly TableCell[])[];
}

export interface GraphNode {
  readonly id: string;
  /** What hover and tables show, e.g. "L1 F27 @3: 2.41". */
  readonly label: string;
  readonly kind: 'feature' | 'error' | 'embedding' | 'logit';
  /** Column: the token position. */
  readonly x: number;
  /** Row: an index into the view's y labels (embeddings at the bottom, logits at the top). */
  readonly y: number;
  /** 0..1, drawn as marker size (e.g. the node's share of influence). */
  readonly size: number;
  /**
   * Attribution graphs: the node's cumulative share of influence when nodes are sorted by
   * influence (the most influential node has the smallest); absent for nodes always kept.
   */
  readonly cumulativeInfluence?: number;
}

export interface GraphView {
  readonly kind: 'graph';
  readonly title: string;
  /** Token positions. */
  readonly x: ViewAxis;
  /** Rows, bottom to top. */
  readonly y: ViewAxis;
  readonly nodes: readonly GraphNode[];
  /** Signed edge weights from source to target node ids. */
  readonly edges: readonly { readonly source: string; readonly target: string; readonly weight: number }[];
}

export interface ScatterView {
  readonly kind: 'scatter';
  readonly title: string;
  /** What each point is (e.g. a patching cell, "L2 · 13: Lily"). */
  readonly points: ViewAxis;
  /** The two quantities compared, one value per point (null where undefined). */
  readonly x: { readonly title: string; readonly values: readonly (number | null)[] };
  readonly y: { readonly title: string; readonly values: readonly (number | null)[] };
}

export type View = GridView | SeriesView | TableView | GraphView | ScatterView;

/** A scatter's points as a table (point, x, y): its CSV and text form. */
export function scatterTable(view: ScatterView): TableView {
  return { kind: 'table', title: view.title, columns: [view.points.title, view.x.title, view.y.title], rows: view.points.labels.map((label, i) => [label, view.x.values[i] ?? null, view.y.values[i] ?? null]) };
}

/** A graph's edges as a table (source, target, weight; largest |weight| first): its CSV and text form. */
export function graphEdgeTable(view: GraphView): TableView {
  const label = new Map(view.nodes.map((n) => [n.id, n.label]));
  const edges = [...view.edges].sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  return {
    kind: 'table',
    title: `${view.title}: edges`,
    columns: ['source', 'target', 'weight'],
    rows: edges.map((e) => [label.get(e.source) ?? e.source, label.get(e.target) ?? e.target, e.weight]),
  };
}

/**
 * Token labels made unique by their index ("3: ·the"), since token strings repeat within a
 * prompt, with whitespace visible as in the app's token strip; `indices` gives the number shown
 * for each label (default 0, 1, …).
 */
export function indexedLabels(labels: readonly string[], indices?: readonly number[]): string[] {
  return labels.map((l, i) => `${indices ? indices[i] : i}: ${visibleToken(l)}`);
}

export function rangeLabels(n: number, prefix = ''): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}
