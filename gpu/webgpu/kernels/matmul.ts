/**
 * Launcher for matmul.wgsl, the tiled strided-batched GEMM with its norm prologue and fused
 * epilogues, for gemm_reduce.wgsl (split-K), and the `matmul` op. linear (prefill and fused),
 * headResult and attention map onto `gemm` with strides (see their files). `planGemm` picks the
 * tile shape and split-K from the matrix shape and the device's limits.
 */
import { shapeString, type UnaryKind } from '../../backend.ts';
import { defineKernel, ELEMENT_KIND, type StorageKind } from '../kernel.ts';
import type { Context, GpuTensor } from '../tensor.ts';
import epilogue from './gemm_epilogue.wgsl?raw';
import reduceSource from './gemm_reduce.wgsl?raw';
import blocks from './blocks.wgsl?raw';
import math from './math.wgsl?raw';
import source from './matmul.wgsl?raw';

export const matmulKernel = defineKernel(
  'matmul',
  math + blocks + epilogue + source,
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
    k_part: 'u32',
    norm_eps: 'f32',
  },
  ['read', 'read', 'read', 'read', 'read', 'read', 'read_write'],
);

export const gemmReduceKernel = defineKernel(
  'gemm_reduce',
  math + epilogue + reduceSource,
  {
    m: 'u32',
    n: 'u32',
    parts: 'u32',
    part_stride: 'u32',
    ldc: 'u32',
    c_offset: 'u32',
    alpha: 'f32',
    bias_offset: 'u32',
    query_offset: 'u32',
    key_len: 'u32',
    neg_inf: 'f32',
  },
  ['read', 'read', 'read', 'read_write'],
);

/**
 * Threads per workgroup along N and M, the K depth of a staged tile and the number of shared
 * tiles (2: double-buffered). Each thread owns 4 rows × 8 columns: the tile is 4·wgY × 8·wgX.
 */
export interface MatmulTile {
  readonly wgX: number;
  readonly wgY: number;
  readonly tileK: number;
  /** 1 or 2; default: 2 when the device's workgroup memory holds two tiles. */
  readonly stages?: number;
}

export interface GemmLimits {
  readonly maxInvocationsPerWorkgroup: number;
  readonly maxWorkgroupStorageBytes: number;
}

const TILE_K = 32;
/** Candidate tiles, largest first: [wgX, wgY] → (4·wgY) × (8·wgX) outputs. */
const TILES: readonly (readonly [number, number])[] = [
  [16, 16], // 64 × 128
  [8, 16], // 64 × 64
  [8, 8], // 32 × 64
  [4, 8], // 32 × 32
];
/** For ≤ 16 rows (short prompts, decode, per-head attention of a few queries). */
const SHORT_TILES: readonly (readonly [number, number])[] = [
  [16, 4], // 16 × 128
  [8, 4], // 16 × 64
];
const SHORT_ROWS = 16;
/**
 * Workgroups that fill a large GPU (a few per compute unit of a 100+ unit part; WebGPU does not
 * say how many units there are). A smaller tile, then split-K, is chosen until a GEMM has them.
 */
export const FILL_WORKGROUPS = 256;
/** Split-K only when each part still has this much K (else the extra pass does not pay). */
const MIN_PART_K = 512;
const MAX_PARTS = 8;
const MAX_LOADS = 16;

/** Workgroup memory of a tile in bytes (matmul.wgsl's shared arrays). */
export function tileBytes(tile: MatmulTile, stages: number): number {
  const tileM = 4 * tile.wgY;
  const tileN = 8 * tile.wgX;
  const vec4s = stages * tile.tileK * (tileM / 4 + 1 + tileN / 4 + 1);
  return 16 * vec4s + 4 * (2 * tileM + tile.wgX * tile.wgY);
}

export function checkTile(tile: MatmulTile, limits: GemmLimits): void {
  const { wgX, wgY, tileK } = tile;
  const stages = tile.stages ?? 1;
  const threads = wgX * wgY;
  const valid =
    [wgX, wgY, tileK].every((v) => Number.isInteger(v) && v > 0) &&
    wgX % 4 === 0 &&
    wgY % 4 === 0 &&
    tileK % 4 === 0 &&
    tileK % wgX === 0 &&
    (2 * tileK) % wgY === 0 &&
    tileK / wgX <= MAX_LOADS &&
    (2 * tileK) / wgY <= MAX_LOADS &&
    (stages === 1 || stages === 2);
  if (!valid) {
    throw new Error(
      `matmul tile ${JSON.stringify(tile)}: wgX and wgY must be multiples of 4, tileK a multiple of 4 and of wgX ` +
        `with 2·tileK a multiple of wgY, at most ${MAX_LOADS} loads per thread (tileK/wgX, 2·tileK/wgY), stages 1 or 2`,
    );
  }
  const bytes = tileBytes(tile, stages);
  if (threads > limits.maxInvocationsPerWorkgroup || bytes > limits.maxWorkgroupStorageBytes) {
    throw new Error(
      `matmul tile ${JSON.stringify(tile)} needs ${threads} threads and ${bytes} bytes of workgroup memory; ` +
        `the device allows ${limits.maxInvocationsPerWorkgroup} and ${limits.maxWorkgroupStorageBytes}`,
    );
  }
}

/** How one GEMM runs: its tile (with stages) and the K split (1: none). */
export interface GemmPlan {
  readonly tile: Required<MatmulTile>;
  readonly parts: number;
  /** K elements per part (a multiple of tileK), k when parts is 1. */
  readonly kPart: number;
  readonly workgroups: number;
}

export interface GemmShape {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly batch: number;
  /** Split-K is possible (one batch, no attention mask). */
  readonly splittable: boolean;
}

/**
 * The largest tile that still gives FILL_WORKGROUPS workgroups, else the one giving the most;
 * then, if the GEMM still leaves the GPU idle and K is long, split K so that it does not.
 * Two shared stages when the device's workgroup memory holds them. `fixed` overrides the tile.
 */
export function planGemm(shape: GemmShape, limits: GemmLimits, fixed?: MatmulTile): GemmPlan {
  const count = (wgX: number, wgY: number) =>
    Math.ceil(shape.m / (4 * wgY)) * Math.ceil(shape.n / (8 * wgX)) * shape.batch;
  let tile: MatmulTile;
  if (fixed) tile = fixed;
  else {
    const fits = (shape.m <= SHORT_ROWS ? SHORT_TILES : TILES).filter(([x, y]) => {
      const candidate = { wgX: x, wgY: y, tileK: TILE_K };
      return x * y <= limits.maxInvocationsPerWorkgroup && tileBytes(candidate, 1) <= limits.maxWorkgroupStorageBytes;
    });
    if (fits.length === 0) throw new Error('matmul: the device has too little workgroup memory or too few threads for any GEMM tile');
    const [wgX, wgY] = fits.find(([x, y]) => count(x, y) >= FILL_WORKGROUPS) ?? fits[fits.length - 1];
    tile = { wgX, wgY, tileK: TILE_K };
  }
  const stages = tile.stages ?? (tileBytes(tile, 2) <= limits.maxWorkgroupStorageBytes ? 2 : 1);
  const workgroups = count(tile.wgX, tile.wgY);
  let parts = 1;
  if (shape.splittable && workgroups < FILL_WORKGROUPS) {
    parts = Math.min(MAX_PARTS, Math.ceil(FILL_WORKGROUPS / workgroups), Math.floor(shape.k / MIN_PART_K));
  }
  const kPart = parts > 1 ? Math.ceil(shape.k / parts / tile.tileK) * tile.tileK : shape.k;
  parts = parts > 1 ? Math.ceil(shape.k / kPart) : 1;
  return { tile: { ...tile, stages }, parts, kPart, workgroups: workgroups * parts };
}

/** An operand as element offsets and strides: row r of batch (outer, inner) starts at
 * offset + outer·outerStride + inner·innerStride + r·ld. */
export interface MatrixView {
  readonly buffer: GPUBuffer;
  readonly offset: number;
  readonly ld: number;
  readonly outerStride: number;
  readonly innerStride: number;
}

/** LayerNorm (center) or RMSNorm of A's rows, applied as A is loaded; weight and bias f32 [k]. */
export interface GemmNorm {
  readonly center: boolean;
  readonly eps: number;
  readonly weight: GPUBuffer;
  readonly bias?: GPUBuffer;
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
  readonly norm?: GemmNorm;
  readonly bias?: { readonly buffer: GPUBuffer; readonly offset: number };
  readonly activation?: UnaryKind;
  /** Causal mask with query row i at key index queryOffset + i, and optional [outer, keyLen] validity. */
  readonly mask?: { readonly queryOffset: number; readonly keyLen: number; readonly keyValid?: GPUBuffer };
  /** Add (residual) or multiply by (gated MLP) a tensor laid out like C, after the activation. */
  readonly extra?: { readonly op: 'add' | 'multiply'; readonly buffer: GPUBuffer };
  /** Add to C instead of overwriting it (a product summed over parts of K). */
  readonly accumulate?: boolean;
}

/** The activations a GEMM epilogue applies (math.wgsl's activation(), ACT = code + 1). */
const ACTIVATION: Readonly<Partial<Record<UnaryKind, number>>> = { gelu_tanh: 1, gelu_erf: 2, silu: 3, relu: 4 };

export function gemmActivation(kind: UnaryKind): number {
  const code = Object.hasOwn(ACTIVATION, kind) ? ACTIVATION[kind] : undefined;
  if (code === undefined) throw new Error(`matmul: '${kind}' is not an activation a GEMM epilogue applies`);
  return code;
}

const quad = (...values: number[]): boolean => values.every((v) => v % 4 === 0);

function extraCode(g: Gemm): number {
  if (g.mask) return 1;
  if (g.extra) return g.extra.op === 'add' ? 2 : 3;
  return g.accumulate ? 4 : 0;
}

export function gemm(ctx: Context, g: Gemm): void {
  if ([g.mask, g.extra, g.accumulate].filter(Boolean).length > 1) {
    throw new Error('matmul: a GEMM takes one of mask, residual/multiply and accumulate');
  }
  const { a, b, c } = g;
  const { engine } = ctx;
  const plan = planGemm(
    { m: g.m, n: g.n, k: g.k, batch: g.outer * g.inner, splittable: g.outer * g.inner === 1 && !g.mask },
    engine.limits,
    ctx.matmulTile,
  );
  const { tile, parts } = plan;
  const aVec4 = quad(a.offset, a.ld, a.outerStride, a.innerStride, g.k);
  const bVec4 = quad(b.offset, b.ld, b.outerStride, b.innerStride, b.transposed ? g.k : g.n);
  const split = parts > 1;
  const sums = split ? engine.allocate(4 * parts * g.m * g.n, `split-K sums [${parts}, ${g.m}, ${g.n}]`, false) : undefined;
  const epilogue = {
    HAS_BIAS: g.bias !== undefined,
    ACT: g.activation ? gemmActivation(g.activation) : 0,
    EXTRA: extraCode(g),
    KEY_VALID: g.mask?.keyValid !== undefined,
  };
  const extraBuffer = g.mask?.keyValid ?? g.extra?.buffer ?? engine.dummy;
  engine.dispatch(matmulKernel, {
    overrides: {
      WG_X: tile.wgX,
      WG_Y: tile.wgY,
      TILE_K: tile.tileK,
      STAGES: tile.stages,
      B_TRANSPOSED: b.transposed,
      B_KIND: ELEMENT_KIND[b.kind],
      A_VEC4: aVec4,
      B_VEC4: bVec4,
      NORM: g.norm ? (g.norm.center ? 1 : 2) : 0,
      NORM_BIAS: g.norm?.bias !== undefined,
      SPLIT: split,
      ...(split ? {} : epilogue),
    },
    params: {
      m: g.m,
      n: g.n,
      k: g.k,
      lda: a.ld,
      ldb: b.ld,
      ldc: split ? g.n : c.ld,
      a_offset: a.offset,
      b_offset: b.offset,
      c_offset: split ? 0 : c.offset,
      batch_inner: g.inner,
      b_group: b.group,
      a_outer: a.outerStride,
      a_inner: a.innerStride,
      b_outer: b.outerStride,
      b_inner: b.innerStride,
      c_outer: split ? g.m * g.n : c.outerStride,
      c_inner: c.innerStride,
      alpha: g.alpha,
      bias_offset: g.bias?.offset ?? 0,
      query_offset: g.mask?.queryOffset ?? 0,
      key_len: g.mask?.keyLen ?? 0,
      neg_inf: -Infinity,
      k_part: plan.kPart,
      norm_eps: g.norm?.eps ?? 0,
    },
    buffers: [
      a.buffer,
      b.buffer,
      g.bias?.buffer ?? engine.dummy,
      g.norm?.weight ?? engine.dummy,
      g.norm?.bias ?? engine.dummy,
      extraBuffer,
      sums ?? c.buffer,
    ],
    workgroups: [Math.ceil(g.n / (8 * tile.wgX)), Math.ceil(g.m / (4 * tile.wgY)), split ? parts : g.outer * g.inner],
  });
  if (!sums) return;
  const WG = 256;
  engine.dispatch(gemmReduceKernel, {
    overrides: { WG, ...epilogue },
    params: {
      m: g.m,
      n: g.n,
      parts,
      part_stride: g.m * g.n,
      ldc: c.ld,
      c_offset: c.offset,
      alpha: g.alpha,
      bias_offset: g.bias?.offset ?? 0,
      query_offset: 0,
      key_len: 0,
      neg_inf: -Infinity,
    },
    buffers: [sums, g.bias?.buffer ?? engine.dummy, extraBuffer, c.buffer],
    workgroups: engine.grid(Math.ceil((g.m * g.n) / WG)),
  });
  engine.release(sums);
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
