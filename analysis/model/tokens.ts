/**
 * Token batches: rows of different lengths are left-padded so every row ends at the same
 * position (what generation and "last position" metrics want); padding is masked out of
 * attention and position ids start at 0 on each row's first real token.
 */
export interface TokenBatch {
  readonly batch: number;
  readonly pos: number;
  /** [batch·pos], padding slots hold 0 (a valid id; masked out). */
  readonly ids: Int32Array;
  /** [batch·pos]: 1 real, 0 padding. */
  readonly valid: Uint8Array;
  /** [batch·pos] position id of each token. */
  readonly positions: Int32Array;
  /** Padding tokens at the start of each row. */
  readonly padding: readonly number[];
}

export function leftPad(rows: readonly (readonly number[])[], firstPosition: readonly number[] = []): TokenBatch {
  if (rows.length === 0) throw new Error('no input rows');
  const pos = Math.max(...rows.map((r) => r.length));
  if (pos === 0) throw new Error('an input has no tokens');
  const batch = rows.length;
  const ids = new Int32Array(batch * pos);
  const valid = new Uint8Array(batch * pos);
  const positions = new Int32Array(batch * pos);
  const padding = rows.map((r) => pos - r.length);
  rows.forEach((row, b) => {
    row.forEach((id, i) => {
      const at = b * pos + padding[b] + i;
      ids[at] = id;
      valid[at] = 1;
      positions[at] = (firstPosition[b] ?? 0) + i;
    });
  });
  return { batch, pos, ids, valid, positions, padding };
}
