/**
 * A method view as text for the terminal: grids as a matrix with their row and column labels
 * (cell text, e.g. a top-1 token, beside the value), series as one labelled row per x value
 * (optionally sorted by |value|, largest first), tables as aligned columns.
 */
import type { GridView, SeriesView, TableCell, TableView, View } from '../analysis/registry/views.ts';
import { graphEdgeTable, scatterTable } from '../analysis/registry/views.ts';

function fmt(v: number | null): string {
  if (v === null) return '—';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(2) : v.toFixed(a >= 100 ? 1 : 4);
}

function cell(c: TableCell): string {
  if (typeof c === 'number') return Number.isInteger(c) ? String(c) : fmt(c);
  return c === null ? '—' : c;
}

/** Rows of cells as aligned columns (first column left-aligned, the rest right-aligned). */
export function alignRows(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd());
}

function gridText(v: GridView): string[] {
  const header = [`${v.y.title} \\ ${v.x.title}`, ...v.x.labels];
  const rows = v.z.map((row, y) => [v.y.labels[y], ...row.map((z, x) => (v.text?.[y]?.[x] ? `${JSON.stringify(v.text[y][x])} ${fmt(z)}` : fmt(z)))]);
  return [`${v.title} (${v.zTitle})`, ...alignRows([header, ...rows])];
}

function seriesText(v: SeriesView, sortByMagnitude: boolean): string[] {
  const order = v.x.labels.map((_, i) => i);
  if (sortByMagnitude && v.traces.length > 0) {
    const key = (i: number) => Math.abs(v.traces[0].values[i] ?? 0);
    order.sort((a, b) => key(b) - key(a) || a - b);
  }
  const header = [v.x.title, ...v.traces.map((t) => t.name)];
  const rows = order.map((i) => [v.x.labels[i], ...v.traces.map((t) => fmt(t.values[i] ?? null))]);
  return [`${v.title} (${v.yTitle}${sortByMagnitude ? ', largest |value| first' : ''})`, ...alignRows([header, ...rows])];
}

function tableText(v: TableView): string[] {
  return [v.title, ...alignRows([[...v.columns], ...v.rows.map((r) => r.map(cell))])];
}

export function viewText(view: View, options: { sortSeries?: boolean } = {}): string {
  const lines =
    view.kind === 'grid' ? gridText(view) : view.kind === 'series' ? seriesText(view, options.sortSeries ?? false) : tableText(view.kind === 'graph' ? graphEdgeTable(view) : view.kind === 'scatter' ? scatterTable(view) : view);
  return lines.join('\n');
}
