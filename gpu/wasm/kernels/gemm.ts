// AssemblyScript: the fast CPU backend's matrix product (built by gpu/wasm/build.mjs).
//
// C[m, n] (+)= Σ_k A[m, k] · B(k, n), f32 accumulation. B is either a weight [N, K] (row n is
// output n, as `linear` reads it: `bRowsAreN` = 1) or a row-major [K, N] matrix (matmul,
// linearTransposed, attention mix: `bRowsAreN` = 0), in any of the weight dtypes of
// `decode.ts`. Cache blocking (Goto): a KC × NC block of B is decoded and packed into f32
// panels of NR = 8 columns ([panel][k][8]) in a per-thread work area, once; every MR = 4 row
// tile of A then streams through a panel with 4 × 8 accumulators held in 8 SIMD registers.
// Columns [n0, n1) only, so threads split N without sharing any written memory.
import { decodeRun, elementBytes, isElementKind, loadWidened, scalarAt } from './decode';

// Blocking sizes: a packed B block (KC × NC × 4 = 256 KiB) lives in L2, one panel (8 KiB) in L1,
// an A block (MC × KC × 4 = 128 KiB) in L2.
const KC: i32 = 256;
const NC: i32 = 256;
const MC: i32 = 128;
const NR: i32 = 8;

/** Bytes of work area one thread needs for `gemm`: the packed block and one C tile. */
export function gemmWorkBytes(): i32 {
  return KC * NC * 4 + 4 * NR * 4 + KC * 4;
}

@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// ---- packing -----------------------------------------------------------------------------

/**
 * Panel of 8 weight rows n..n+8 (each contiguous along k; row stride `ldb` bytes), k in
 * [k0, k0 + kc) → dst[k][8]. Element dtypes with a full panel: 4 × 4 SIMD transposes of widened
 * loads. Anything else (the matrix's last, partial panel; block-quantised dtypes): each row's
 * run decoded into `row` by decodeRun, then interleaved.
 */
@inline
function packRowsN(kind: i32, b: usize, ldb: usize, n: i32, nValid: i32, k0: i32, kc: i32, dst: usize, row: usize): void {
  if (nValid < NR || !isElementKind(kind)) {
    for (let j = 0; j < NR; j++) {
      if (j < nValid) decodeRun(kind, b + <usize>(n + j) * ldb, k0, kc, row);
      for (let k = 0; k < kc; k++) {
        store<f32>(dst + ((<usize>k * NR + j) << 2), j < nValid ? load<f32>(row + (<usize>k << 2)) : 0);
      }
    }
    return;
  }
  const es = <usize>elementBytes(kind);
  for (let j = 0; j < NR; j += 4) {
    const r0 = b + <usize>(n + j) * ldb + <usize>k0 * es;
    let k = 0;
    for (; k + 4 <= kc; k += 4) {
      const off = <usize>k * es;
      const x0 = loadWidened(kind, r0 + off);
      const x1 = loadWidened(kind, r0 + ldb + off);
      const x2 = loadWidened(kind, r0 + 2 * ldb + off);
      const x3 = loadWidened(kind, r0 + 3 * ldb + off);
      // 4 × 4 transpose: rows j..j+3 at k..k+3 → k-major.
      const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
      const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
      const d = dst + ((<usize>k * NR + j) << 2);
      v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(d + NR * 4, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
      v128.store(d + 2 * NR * 4, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
      v128.store(d + 3 * NR * 4, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
    }
    if (k < kc) {
      for (let i = 0; i < 4; i++) {
        decodeRun(kind, b + <usize>(n + j + i) * ldb, k0 + k, kc - k, row);
        for (let r = k; r < kc; r++) store<f32>(dst + ((<usize>r * NR + j + i) << 2), load<f32>(row + (<usize>(r - k) << 2)));
      }
    }
  }
}

/** Panel of 8 columns n..n+8 of a [K, N] matrix (row stride `ldb` bytes), k in [k0, k0+kc) → dst[k][8]. */
@inline
function packRowsK(kind: i32, b: usize, ldb: usize, n: i32, nValid: i32, k0: i32, kc: i32, dst: usize): void {
  const fast = nValid == NR && isElementKind(kind);
  const es = <usize>elementBytes(kind);
  for (let k = 0; k < kc; k++) {
    const src = b + <usize>(k0 + k) * ldb;
    const d = dst + ((<usize>k * NR) << 2);
    if (fast) {
      v128.store(d, loadWidened(kind, src + <usize>n * es));
      v128.store(d, loadWidened(kind, src + <usize>(n + 4) * es), 16);
    } else {
      v128.store(d, f32x4.splat(0));
      v128.store(d, f32x4.splat(0), 16);
      decodeRun(kind, src, n, nValid, d);
    }
  }
}

function pack(kind: i32, bRowsAreN: i32, b: usize, ldb: usize, n: i32, nValid: i32, k0: i32, kc: i32, dst: usize, row: usize): void {
  // One specialised copy per (layout, element dtype): the dtype branch stays out of the inner loops.
  if (bRowsAreN) {
    if (kind == 0) packRowsN(0, b, ldb, n, nValid, k0, kc, dst, row);
    else if (kind == 1) packRowsN(1, b, ldb, n, nValid, k0, kc, dst, row);
    else if (kind == 2) packRowsN(2, b, ldb, n, nValid, k0, kc, dst, row);
    else packRowsN(kind, b, ldb, n, nValid, k0, kc, dst, row);
  } else {
    if (kind == 0) packRowsK(0, b, ldb, n, nValid, k0, kc, dst);
    else if (kind == 1) packRowsK(1, b, ldb, n, nValid, k0, kc, dst);
    else if (kind == 2) packRowsK(2, b, ldb, n, nValid, k0, kc, dst);
    else packRowsK(kind, b, ldb, n, nValid, k0, kc, dst);
  }
}

// ---- micro-kernels -----------------------------------------------------------------------
// mode 0: C tile starts at 0; 1: at the bias panel `bias` (8 floats); 2: at C (accumulate).

function tile4x8(kc: i32, a: usize, lda: usize, bp: usize, c: usize, ldc: usize, mode: i32, bias: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  if (mode == 1) {
    c00 = v128.load(bias); c01 = v128.load(bias, 16);
    c10 = c00; c11 = c01; c20 = c00; c21 = c01; c30 = c00; c31 = c01;
  } else if (mode == 2) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc); c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc); c21 = v128.load(c + 2 * ldc, 16);
    c30 = v128.load(c + 3 * ldc); c31 = v128.load(c + 3 * ldc, 16);
  }
  let a0 = a;
  let a1 = a + lda;
  let a2 = a + 2 * lda;
  let a3 = a + 3 * lda;
  let p = bp;
  const end = bp + (<usize>kc << 5);
  while (p < end) {
    const b0 = v128.load(p);
    const b1 = v128.load(p, 16);
    let x = v128.load32_splat(a0);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(a1);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(a2);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(a3);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    a0 += 4; a1 += 4; a2 += 4; a3 += 4;
    p += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
}

function tile1x8(kc: i32, a: usize, bp: usize, c: usize, mode: i32, bias: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  if (mode == 1) {
    c0 = v128.load(bias); c1 = v128.load(bias, 16);
  } else if (mode == 2) {
    c0 = v128.load(c); c1 = v128.load(c, 16);
  }
  let p = bp;
  let ap = a;
  const end = bp + (<usize>kc << 5);
  while (p < end) {
    const x = v128.load32_splat(ap);
    c0 = madd(x, v128.load(p), c0);
    c1 = madd(x, v128.load(p, 16), c1);
    ap += 4;
    p += 32;
  }
  v128.store(c, c0);
  v128.store(c, c1, 16);
}

/**
 * Rows [m, m + rows) (rows 4 or 1) × the 8 columns of panel `bp` at column n. A full panel is
 * computed in place; a partial one (nValid < 8, the matrix's last) through the tile buffer.
 */
@inline
function tile(rows: i32, kc: i32, a: usize, lda: usize, bp: usize, c: usize, ldc: usize, nValid: i32, mode: i32, bias: usize, tmp: usize): void {
  if (nValid == NR) {
    if (rows == 4) tile4x8(kc, a, lda, bp, c, ldc, mode, bias);
    else tile1x8(kc, a, bp, c, mode, bias);
    return;
  }
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < NR; j++) {
      let v: f32 = 0;
      if (j < nValid) v = mode == 2 ? load<f32>(c + <usize>r * ldc + (<usize>j << 2)) : mode == 1 ? load<f32>(bias + (<usize>j << 2)) : 0;
      store<f32>(tmp + (<usize>(r * NR + j) << 2), v);
    }
  }
  if (rows == 4) tile4x8(kc, a, lda, bp, tmp, NR * 4, 2, 0);
  else tile1x8(kc, a, bp, tmp, 2, 0);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < nValid; j++) store<f32>(c + <usize>r * ldc + (<usize>j << 2), load<f32>(tmp + (<usize>(r * NR + j) << 2)));
  }
}

// ---- few rows: dot products straight from the weight -------------------------------------

@inline
function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/**
 * Rows [m, m + rows) (rows 4 or 1) of C[:, n0:n1] for a weight B [N, K] of an element dtype
 * read in place: each weight row is widened 4 values at a time and dotted with every A row, so a
 * weight value is read once per group instead of being packed. (Block-quantised weights take the
 * packing path.)
 */
@inline
function dotRows(rows: i32, wk: i32, K: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize, bias: usize, n0: i32, n1: i32): void {
  const es = <usize>elementBytes(wk);
  const k4 = K & ~3;
  for (let n = n0; n < n1; n++) {
    const w = b + <usize>n * ldb;
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    for (let k = 0; k < k4; k += 4) {
      const wv = wk == 0 ? v128.load(w + (<usize>k << 2)) : loadWidened(wk, w + <usize>k * es);
      const ak = a + (<usize>k << 2);
      s0 = madd(v128.load(ak), wv, s0);
      if (rows == 4) {
        s1 = madd(v128.load(ak + lda), wv, s1);
        s2 = madd(v128.load(ak + 2 * lda), wv, s2);
        s3 = madd(v128.load(ak + 3 * lda), wv, s3);
      }
    }
    let d0 = hsum(s0), d1 = hsum(s1), d2 = hsum(s2), d3 = hsum(s3);
    for (let k = k4; k < K; k++) {
      const wv = scalarAt(wk, w + <usize>k * es);
      d0 += load<f32>(a + (<usize>k << 2)) * wv;
      if (rows == 4) {
        d1 += load<f32>(a + lda + (<usize>k << 2)) * wv;
        d2 += load<f32>(a + 2 * lda + (<usize>k << 2)) * wv;
        d3 += load<f32>(a + 3 * lda + (<usize>k << 2)) * wv;
      }
    }
    const bv: f32 = bias != 0 ? load<f32>(bias + (<usize>n << 2)) : 0;
    const cn = c + (<usize>n << 2);
    store<f32>(cn, d0 + bv);
    if (rows == 4) {
      store<f32>(cn + ldc, d1 + bv);
      store<f32>(cn + 2 * ldc, d2 + bv);
      store<f32>(cn + 3 * ldc, d3 + bv);
    }
  }
}

/** Up to DOT_ROWS rows against an element-dtype weight: dot products without packing (generation, last-position logits). */
const DOT_ROWS: i32 = 6;

function dotProducts(M: i32, K: i32, kind: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize, bias: usize, n0: i32, n1: i32): void {
  // One specialised copy per element dtype, as for packing.
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    const am = a + <usize>m * lda;
    const cm = c + <usize>m * ldc;
    if (kind == 0) dotRows(4, 0, K, am, lda, b, ldb, cm, ldc, bias, n0, n1);
    else if (kind == 1) dotRows(4, 1, K, am, lda, b, ldb, cm, ldc, bias, n0, n1);
    else dotRows(4, 2, K, am, lda, b, ldb, cm, ldc, bias, n0, n1);
  }
  for (; m < M; m++) {
    const am = a + <usize>m * lda;
    const cm = c + <usize>m * ldc;
    if (kind == 0) dotRows(1, 0, K, am, lda, b, ldb, cm, ldc, bias, n0, n1);
    else if (kind == 1) dotRows(1, 1, K, am, lda, b, ldb, cm, ldc, bias, n0, n1);
    else dotRows(1, 2, K, am, lda, b, ldb, cm, ldc, bias, n0, n1);
  }
}

/**
 * C[0:M, n0:n1] = A · B (+ bias[n]). A and C strides in elements (f32), B's row stride `ldb` in
 * bytes (block-quantised rows are not a whole number of elements). `bias` 0 for none. K ≥ 1.
 * `work` is this thread's area of gemmWorkBytes().
 */
export function gemm(
  M: i32, N: i32, K: i32,
  a: usize, lda: i32,
  b: usize, ldb: usize, kind: i32, bRowsAreN: i32,
  c: usize, ldc: i32,
  bias: usize,
  n0: i32, n1: i32,
  work: usize,
): void {
  if (n1 > N) n1 = N;
  const tmp = work + <usize>(KC * NC * 4);
  const row = tmp + <usize>(4 * NR * 4);
  const ldaB = <usize>lda << 2;
  const ldcB = <usize>ldc << 2;
  if (bRowsAreN && M <= DOT_ROWS && isElementKind(kind)) {
    dotProducts(M, K, kind, a, ldaB, b, ldb, c, ldcB, bias, n0, n1);
    return;
  }
  // N blocks outside K slices: a block's C strip (MC × NC) stays in cache while K is summed.
  for (let nc = n0; nc < n1; nc += NC) {
    const ncw = min(NC, n1 - nc);
    const panels = (ncw + NR - 1) / NR;
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kc = min(KC, K - k0);
      for (let p = 0; p < panels; p++) {
        pack(kind, bRowsAreN, b, ldb, nc + p * NR, min(NR, n1 - nc - p * NR), k0, kc, work + (<usize>(p * kc * NR) << 2), row);
      }
      for (let m0 = 0; m0 < M; m0 += MC) {
        const mEnd = min(M, m0 + MC);
        for (let p = 0; p < panels; p++) {
          const n = nc + p * NR;
          const nValid = min(NR, n1 - n);
          const bp = work + (<usize>(p * kc * NR) << 2);
          const mode = k0 > 0 ? 2 : bias != 0 ? 1 : 0;
          const biasPanel = bias + (<usize>n << 2);
          let m = m0;
          for (; m + 4 <= mEnd; m += 4) {
            tile(4, kc, a + <usize>m * ldaB + (<usize>k0 << 2), ldaB, bp, c + <usize>m * ldcB + (<usize>n << 2), ldcB, nValid, mode, biasPanel, tmp);
          }
          for (; m < mEnd; m++) {
            tile(1, kc, a + <usize>m * ldaB + (<usize>k0 << 2), ldaB, bp, c + <usize>m * ldcB + (<usize>n << 2), ldcB, nValid, mode, biasPanel, tmp);
          }
        }
      }
    }
  }
}
