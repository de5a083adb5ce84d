/**
 * Layout changes on host weights, done on the stored values of whatever dtype (F32 or raw
 * F16/BF16 bits) so converting a checkpoint to the canonical layout never rounds or widens.
 */
import type { HostWeight } from '../../gpu/backend.ts';
import { numel, shapeString } from '../../gpu/backend.ts';
import { blockFormat, blockRowBytes, isBlockDType } from '../../gpu/quant.ts';

type Storage = Float32Array | Uint16Array | Uint8Array;

function allocLike(data: Storage, length: number): Storage {
  if (data instanceof Float32Array) return new Float32Array(length);
  return data instanceof Uint16Array ? new Uint16Array(length) : new Uint8Array(length);
}

/** Storage elements per row of `w` (values, or bytes of ggml blocks for Q8_0/Q4_0). */
function storedRowLength(w: HostWeight): number {
  const row = numel(w.shape.slice(1));
  return isBlockDType(w.dtype) ? blockRowBytes(blockFormat(w.dtype), row, `weight ${w.name}`) : row;
}

/** [rows, cols] → [cols, rows]. */
export function transpose2d(w: HostWeight, name = `${w.name}.T`): HostWeight {
  if (w.shape.length !== 2) throw new Error(`transpose2d: ${w.name} has shape ${shapeString(w.shape)}, expected 2-D`);
  if (isBlockDType(w.dtype)) throw new Error(`transpose2d: ${w.name} is ${w.dtype}, whose blocks run along rows and cannot be transposed`);
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
 * elements. Used to split fused projections (GPT-2 c_attn, NeoX query_key_value) and to undo
 * GGUF's Q/K row permutation (block-quantised rows move as whole blocks, bit for bit).
 */
export function takeRows(w: HostWeight, rows: readonly number[], name: string): HostWeight {
  if (w.shape.length < 1) throw new Error(`takeRows: ${w.name} is a scalar`);
  const rowSize = storedRowLength(w);
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
