/**
 * A figure's data as a table (tidy: one row per value, with its coordinates), and CSV.
 *
 * CSV follows RFC 4180 (fields with commas, quotes or line breaks quoted; quotes doubled;
 * CRLF rows). Text cells that a spreadsheet would run as a formula (starting with = + - @ or a
 * tab/CR) get a leading apostrophe (OWASP's CSV-injection advice); token strings like "-" or
 * "=" are the realistic case. Numbers are written in full precision; NaN becomes empty.
 */
export type Cell = string | number | boolean | null;

export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

const FORMULA_START = /^[=+\-@\t\r]/;

function csvField(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : Number.isNaN(cell) ? '' : cell > 0 ? 'inf' : '-inf';
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(table: Table): string {
  const lines = [table.columns.map(csvField), ...table.rows.map((r) => r.map(csvField))];
  return lines.map((l) => l.join(',')).join('\r\n') + '\r\n';
}
