/**
 * One row or one column of a grid view as a series: a drill-down into a cell of a grid (a head
 * across positions, a position across layers) drawn from the same view the grid came from, so
 * the app's drill-downs and a notebook's figures show the same numbers and labels.
 */
import type { GridView, SeriesView } from './views.ts';

export function gridRow(view: GridView, row: number, title = `${view.title}: ${view.y.labels[row]}`): SeriesView {
  if (!Number.isInteger(row) || row < 0 || row >= view.y.labels.length) throw new Error(`row ${row} is outside the grid "${view.title}" (${view.y.labels.length} rows)`);
  return { kind: 'series', title, x: view.x, yTitle: view.zTitle, traces: [{ name: view.y.labels[row], values: view.z[row] }] };
}

export function gridColumn(view: GridView, column: number, title = `${view.title}: ${view.x.labels[column]}`): SeriesView {
  if (!Number.isInteger(column) || column < 0 || column >= view.x.labels.length) throw new Error(`column ${column} is outside the grid "${view.title}" (${view.x.labels.length} columns)`);
  return { kind: 'series', title, x: view.y, yTitle: view.zTitle, traces: [{ name: view.x.labels[column], values: view.z.map((r) => r[column]) }] };
}
