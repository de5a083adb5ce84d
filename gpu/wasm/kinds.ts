/**
 * Weight dtypes the WebAssembly kernels read in place, by kind number (the numbering of
 * gpu/wasm/kernels/decode.ts). A dtype missing here is stored by the reference backend and read
 * through its generic path. Adding a block-quantised dtype (Q8_0, Q4_0): a kind here, its
 * decoder in decode.ts's decodeRun, and its row size in WasmBackend.uploadWeight.
 */
import type { HostWeight } from '../backend.ts';

export const WEIGHT_KINDS: ReadonlyMap<HostWeight['dtype'], number> = new Map<HostWeight['dtype'], number>([
  ['F32', 0],
  ['F16', 1],
  ['BF16', 2],
]);

/** Bytes per value of an element kind (F32, F16, BF16); 0 for a block-quantised kind. */
export function elementBytes(kind: number): number {
  if (kind === 0) return 4;
  return kind <= 2 ? 2 : 0;
}
