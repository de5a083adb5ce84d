/**
 * Every view as a plain table (header + rows): what a "table" figure shows and what CSV export
 * writes, so the numbers in a CSV are exactly the numbers in the figure.
 */
import type { TableCell, View } from '../../analysis/registry/views.ts';
import { graphEdgeTable, scatterTable } from '../../analysis/registry/views.ts';

export interface PlainTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly TableCell[])[];
}

export function viewToTable(view: View): PlainTable {
  switch (view.kind) {
    case 'table':
      return { columns: view.columns, rows: view.rows };
    case 'grid':
      return { columns: [`${view.y.title} \\ ${view.x.title}`, ...view.x.labels], rows: view.y.labels.map((label, r) => [label, ...view.z[r]]) };
    case 'series':
      return { columns: [view.x.title, ...view.traces.map((t) => t.name)], rows: view.x.labels.map((label, i) => [label, ...view.traces.map((t) => t.values[i] ?? null)]) };
    case 'graph':
      return viewToTable(graphEdgeTable(view));
    case 'scatter':
      return viewToTable(scatterTable(view));
  }
}

/** RFC 4180 CSV; cells starting with = + - @ get a leading quote so spreadsheets never run them as formulas. */
export function tableToCsv(table: PlainTable): string {
  const cell = (v: TableCell): string => {
    if (v === null) return '';
    if (typeof v === 'number') return String(v);
    const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
    return /[",\n\r]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return [table.columns, ...table.rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
