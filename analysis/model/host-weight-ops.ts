/**
 * Layout changes on host weights, done on the stored values of whatever dtype (F32 or raw
 * F16/BF16 bits) so converting a checkpoint to the canonical layout never rounds or widens.
 */
import type { HostWeight } from '../../gpu/backend.ts';
import { numel, shapeString } from '../../gpu/backend.ts';

type Storage = Float32Array | Uint16Array;

function allocLike(data: Storage, length: number): Storage {
  return data instanceof Float32Array ? new Float32Array(length) : new Uint16Array(length);
}

/** [rows, cols] → [cols, rows]. */
export function transpose2d(w: HostWeight, name = `${w.name}.T`): HostWeight {
  if (w.shape.length !== 2) throw new Error(`transpose2d: ${w.name} has shape ${shapeString(w.shape)}, expected 2-D`);
  const [rows, cols] = w.shape;
  const src = w.data;
  const out = allocLike(src, src.length);
  // Walk the source row by row (sequential reads), scattering into columns of the output.
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = src[base + c];
  }
  return { name, dtype: w.dtype, shape: [cols, rows], data: out };
}

/**
 * The given rows (first-axis entries) of `w`, in order. For a 1-D weight the rows are its
 * elements. Used to split fused projections (GPT-2 c_attn, NeoX query_key_value).
 */
export function takeRows(w: HostWeight, rows: readonly number[], name: string): HostWeight {
  if (w.shape.length < 1) throw new Error(`takeRows: ${w.name} is a scalar`);
  const rowSize = numel(w.shape.slice(1));
  const out = allocLike(w.data, rows.length * rowSize);
  rows.forEach((row, i) => {
    if (!Number.isInteger(row) || row < 0 || row >= w.shape[0]) {
      throw new RangeError(`takeRows: row ${row} is outside ${w.name} ${shapeString(w.shape)}`);
    }
    out.set(w.data.subarray(row * rowSize, (row + 1) * rowSize), i * rowSize);
  });
  return { name, dtype: w.dtype, shape: [rows.length, ...w.shape.slice(1)], data: out };
}

/** Rows [start, end) of `w`. */
export function sliceRows(w: HostWeight, start: number, end: number, name: string): HostWeight {
  return takeRows(w, Array.from({ length: end - start }, (_, i) => start + i), name);
}
