/**
 * Launcher for matmul.wgsl, the tiled strided-batched GEMM, and the `matmul` op.
 * linear (prefill), headResult and attention map onto `gemm` with strides (see their files).
 */
import { shapeString } from '../../backend.ts';
import { defineKernel, ELEMENT_KIND, type StorageKind } from '../kernel.ts';
import type { Context, GpuTensor } from '../tensor.ts';
import source from './matmul.wgsl?raw';

export const matmulKernel = defineKernel(
  'matmul',
  source,
  {
    m: 'u32',
    n: 'u32',
    k: 'u32',
    lda: 'u32',
    ldb: 'u32',
    ldc: 'u32',
    a_offset: 'u32',
    b_offset: 'u32',
    c_offset: 'u32',
    batch_inner: 'u32',
    b_group: 'u32',
    a_outer: 'u32',
    a_inner: 'u32',
    b_outer: 'u32',
    b_inner: 'u32',
    c_outer: 'u32',
    c_inner: 'u32',
    alpha: 'f32',
    bias_offset: 'u32',
    query_offset: 'u32',
    key_len: 'u32',
    neg_inf: 'f32',
  },
  ['read', 'read', 'read', 'read', 'read_write'],
);

/** Threads per workgroup along N and M, and the K depth of a staged tile; each thread owns 4×4 outputs. */
export interface MatmulTile {
  readonly wgX: number;
  readonly wgY: number;
  readonly tileK: number;
}

/** 64×64 outputs per workgroup, 256 threads: the prefill shape. */
const LARGE_TILE: MatmulTile = { wgX: 16, wgY: 16, tileK: 16 };
/** 16×128 for few rows (short prompts, decode-time attention): fewer idle rows per tile. */
const SHORT_TILE: MatmulTile = { wgX: 32, wgY: 4, tileK: 16 };
const SHORT_ROWS = 16;

/** An operand as element offsets and strides: row r of batch (outer, inner) starts at
 * offset + outer·outerStride + inner·innerStride + r·ld. */
export interface MatrixView {
  readonly buffer: GPUBuffer;
  readonly offset: number;
  readonly ld: number;
  readonly outerStride: number;
  readonly innerStride: number;
}

export interface Gemm {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** Batch count as outer × inner (e.g. batch × head). */
  readonly outer: number;
  readonly inner: number;
  readonly a: MatrixView;
  /** `transposed`: B is stored [N, K] (nn.Linear weights, keys). `group`: inner indices per B matrix. */
  readonly b: MatrixView & { readonly kind: StorageKind; readonly transposed: boolean; readonly group: number };
  readonly c: MatrixView;
  readonly alpha: number;
  readonly bias?: { readonly buffer: GPUBuffer; readonly offset: number };
  /** Causal mask with query row i at key index queryOffset + i, and optional [outer, keyLen] validity. */
  readonly mask?: { readonly queryOffset: number; readonly keyLen: number; readonly keyValid?: GPUBuffer };
  /** Add to C instead of overwriting it (a product summed over parts of K). */
  readonly accumulate?: boolean;
}

export function checkTile(tile: MatmulTile, limits: { maxInvocationsPerWorkgroup: number; maxWorkgroupStorageBytes: number }): void {
  const { wgX, wgY, tileK } = tile;
  const threads = wgX * wgY;
  const bytes = 4 * tileK * 4 * (wgX + wgY);
  if (![wgX, wgY, tileK].every((v) => Number.isInteger(v) && v > 0) || tileK % 4 !== 0) {
    throw new Error(`matmul tile ${JSON.stringify(tile)}: sizes must be positive integers, tileK a multiple of 4`);
  }
  if (threads > limits.maxInvocationsPerWorkgroup || bytes > limits.maxWorkgroupStorageBytes) {
    throw new Error(
      `matmul tile ${JSON.stringify(tile)} needs ${threads} threads and ${bytes} bytes of workgroup memory; ` +
        `the device allows ${limits.maxInvocationsPerWorkgroup} and ${limits.maxWorkgroupStorageBytes}`,
    );
  }
}

const quad = (...values: number[]): boolean => values.every((v) => v % 4 === 0);

export function gemm(ctx: Context, g: Gemm): void {
  const tile = ctx.matmulTile ?? (g.m <= SHORT_ROWS ? SHORT_TILE : LARGE_TILE);
  const { a, b, c } = g;
  const aVec4 = quad(a.offset, a.ld, a.outerStride, a.innerStride, g.k);
  const bVec4 = quad(b.offset, b.ld, b.outerStride, b.innerStride, b.transposed ? g.k : g.n);
  ctx.engine.dispatch(matmulKernel, {
    overrides: {
      WG_X: tile.wgX,
      WG_Y: tile.wgY,
      TILE_K: tile.tileK,
      B_TRANSPOSED: b.transposed,
      B_KIND: ELEMENT_KIND[b.kind],
      A_VEC4: aVec4,
      B_VEC4: bVec4,
      EPILOGUE: g.mask ? 2 : g.bias ? 1 : g.accumulate ? 3 : 0,
      KEY_VALID: g.mask?.keyValid !== undefined,
    },
    params: {
      m: g.m,
      n: g.n,
      k: g.k,
      lda: a.ld,
      ldb: b.ld,
      ldc: c.ld,
      a_offset: a.offset,
      b_offset: b.offset,
      c_offset: c.offset,
      batch_inner: g.inner,
      b_group: b.group,
      a_outer: a.outerStride,
      a_inner: a.innerStride,
      b_outer: b.outerStride,
      b_inner: b.innerStride,
      c_outer: c.outerStride,
      c_inner: c.innerStride,
      alpha: g.alpha,
      bias_offset: g.bias?.offset ?? 0,
      query_offset: g.mask?.queryOffset ?? 0,
      key_len: g.mask?.keyLen ?? 0,
      neg_inf: -Infinity,
    },
    buffers: [a.buffer, b.buffer, g.bias?.buffer ?? ctx.engine.dummy, g.mask?.keyValid ?? ctx.engine.dummy, c.buffer],
    workgroups: [Math.ceil(g.n / (4 * tile.wgX)), Math.ceil(g.m / (4 * tile.wgY)), g.outer * g.inner],
  });
}

/** x [m, k] · y [k, n] → [m, n], or batched [batch, m, k] · [batch, k, n]. */
export function matmul(ctx: Context, x: GpuTensor, y: GpuTensor): GpuTensor {
  const rank = x.shape.length;
  const batched = rank === 3;
  const fits =
    (rank === 2 || rank === 3) &&
    y.shape.length === rank &&
    (!batched || x.shape[0] === y.shape[0]) &&
    x.shape[rank - 1] === y.shape[rank - 2];
  if (!fits) throw new Error(`matmul: cannot multiply ${shapeString(x.shape)} by ${shapeString(y.shape)}`);
  const batch = batched ? x.shape[0] : 1;
  const [m, k] = x.shape.slice(-2);
  const n = y.shape[rank - 1];
  const lhs = ctx.f32(x, 'matmul');
  const rhs = ctx.single(y, 'matmul');
  const out = ctx.output(batched ? [batch, m, n] : [m, n], 'matmul output');
  gemm(ctx, {
    m,
    n,
    k,
    outer: batch,
    inner: 1,
    a: { buffer: lhs.buffer, offset: 0, ld: k, outerStride: m * k, innerStride: 0 },
    b: { buffer: rhs.buffer, kind: y.storage.kind, transposed: false, group: 1, offset: 0, ld: n, outerStride: k * n, innerStride: 0 },
    c: { buffer: ctx.buffer(out), offset: 0, ld: n, outerStride: m * n, innerStride: 0 },
    alpha: 1,
  });
  lhs.done();
  return out;
}
