// AssemblyScript: weight dtypes as the kernels read them, widened to f32 exactly.
//
// Kinds (mirrored in gpu/wasm/kinds.ts): 0 F32, 1 F16, 2 BF16. These are element dtypes (a
// fixed number of bytes per value): the GEMM packs them with SIMD loads (`loadWidened`). A
// block-quantised dtype (ggml Q8_0, Q4_0: blocks of values along a row) is one more case in
// `decodeRun` (and `isElementKind` false for it): the GEMM then packs it row run by row run.

export const KIND_F32: i32 = 0;
export const KIND_F16: i32 = 1;
export const KIND_BF16: i32 = 2;

@inline
export function isElementKind(kind: i32): bool {
  return kind <= KIND_BF16;
}

@inline
export function elementBytes(kind: i32): i32 {
  return kind == KIND_F32 ? 4 : 2;
}

/** IEEE binary16 bit patterns in the low halves of four u32 lanes → f32x4, exactly. */
@inline
function halfToF32x4(h: v128): v128 {
  const em = i32x4.shl(v128.and(h, i32x4.splat(0x7fff)), 13);
  const sign = i32x4.shl(v128.and(h, i32x4.splat(0x8000)), 16);
  // Exponent and mantissa in place, rebiased 15 → 127 by a multiply by 2^112: exact for normal
  // and subnormal halves (a subnormal half lands on a subnormal f32 that the multiply normalises).
  const scaled = f32x4.mul(em, f32x4.splat(5.192296858534828e33));
  const infOrNan = i32x4.eq(v128.and(h, i32x4.splat(0x7c00)), i32x4.splat(0x7c00));
  return v128.or(v128.bitselect(v128.or(em, i32x4.splat(0x7f800000)), scaled, infOrNan), sign);
}

/** Four consecutive values of an element dtype at `p`, as f32x4. */
@inline
export function loadWidened(kind: i32, p: usize): v128 {
  if (kind == KIND_F32) return v128.load(p);
  const h = v128.load16x4_u(p);
  if (kind == KIND_BF16) return i32x4.shl(h, 16);
  return halfToF32x4(h);
}

/** One value of an element dtype at `p`, as f32. */
@inline
export function scalarAt(kind: i32, p: usize): f32 {
  if (kind == KIND_F32) return load<f32>(p);
  const h = <u32>load<u16>(p);
  if (kind == KIND_BF16) return reinterpret<f32>(h << 16);
  return f32x4.extract_lane(halfToF32x4(i32x4.splat(h)), 0);
}

/** Values [start, start + count) of the row at `row` → f32 at dst. */
export function decodeRun(kind: i32, row: usize, start: i32, count: i32, dst: usize): void {
  if (kind == KIND_F32) {
    memory.copy(dst, row + (<usize>start << 2), <usize>count << 2);
    return;
  }
  const src = row + (<usize>start << 1);
  let i = 0;
  if (kind == KIND_BF16) {
    for (; i + 4 <= count; i += 4) v128.store(dst + (<usize>i << 2), loadWidened(KIND_BF16, src + (<usize>i << 1)));
    for (; i < count; i++) store<f32>(dst + (<usize>i << 2), scalarAt(KIND_BF16, src + (<usize>i << 1)));
  } else {
    for (; i + 4 <= count; i += 4) v128.store(dst + (<usize>i << 2), loadWidened(KIND_F16, src + (<usize>i << 1)));
    for (; i < count; i++) store<f32>(dst + (<usize>i << 2), scalarAt(KIND_F16, src + (<usize>i << 1)));
  }
}

/** Rows ids[i] (i32 at `ids`) of a [rows, n] table with row stride `ld` bytes → f32 [count, n] at dst. */
export function gatherRows(kind: i32, table: usize, ld: usize, n: i32, ids: usize, count: i32, dst: usize): void {
  for (let i = 0; i < count; i++) {
    decodeRun(kind, table + <usize>load<i32>(ids + (<usize>i << 2)) * ld, 0, n, dst + (<usize>i * n << 2));
  }
}
