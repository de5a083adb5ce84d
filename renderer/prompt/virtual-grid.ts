/**
 * Virtualisation of a grid of equal cells (the token strip): only the rows in view, plus a
 * margin, are rendered, so a 100k-token sequence costs as much as a short one.
 */
export interface GridLayout {
  readonly columns: number;
  readonly rows: number;
}

export function gridLayout(count: number, width: number, cellWidth: number, gap: number): GridLayout {
  const columns = Math.max(1, Math.floor((width + gap) / (cellWidth + gap)));
  return { columns, rows: Math.ceil(count / columns) };
}

/** Rows [first, last) to render for a viewport at `scrollTop` of `height` pixels. */
export function visibleRows(scrollTop: number, height: number, rowHeight: number, rows: number, overscan = 2): [number, number] {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(rows, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return [first, Math.max(first, last)];
}
