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
 */

export const FIGURE_TYPES = ['heatmap', 'bar', 'line', 'table'] as const;
export type FigureType = (typeof FIGURE_TYPES)[number];

export type ViewKind = 'grid' | 'series' | 'table';

/** Figure types that can draw each kind of view. */
export const FIGURE_TYPES_FOR: Readonly<Record<ViewKind, readonly FigureType[]>> = {
  grid: ['heatmap', 'table', 'bar', 'line'],
  series: ['bar', 'line', 'table'],
  table: ['table'],
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
  /** What z measures (colour bar title). */
  readonly zTitle: string;
  /** Signed values get a diverging colour scale centred on 0. */
  readonly signed: boolean;
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

export type View = GridView | SeriesView | TableView;

/**
 * Labels made unique by their index ("3: the"), since token strings repeat within a prompt;
 * `indices` gives the number shown for each label (default 0, 1, …).
 */
export function indexedLabels(labels: readonly string[], indices?: readonly number[]): string[] {
  return labels.map((l, i) => `${indices ? indices[i] : i}: ${l}`);
}

export function rangeLabels(n: number, prefix = ''): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}
