/** Launcher for gemv.wgsl: linear for ≤ 4 rows (single-token decode). */
import { defineKernel, ELEMENT_KIND, type StorageKind } from '../kernel.ts';
import { nextPow2, type Context } from '../tensor.ts';
import blocks from './blocks.wgsl?raw';
import source from './gemv.wgsl?raw';

export const gemvKernel = defineKernel(
  'gemv',
  blocks + source,
  { m: 'u32', n: 'u32', k: 'u32', ldc: 'u32', c_offset: 'u32', bias_offset: 'u32' },
  ['read', 'read', 'read', 'read_write'],
);

/** Rows one dispatch handles: the kernel keeps one vec4 of sums per lane. */
export const GEMV_MAX_ROWS = 4;
const WG = 256;

export interface Gemv {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** [m, k] f32, contiguous. */
  readonly x: GPUBuffer;
  /** [n, k] from element 0. */
  readonly w: { readonly buffer: GPUBuffer; readonly kind: StorageKind };
  readonly bias?: { readonly buffer: GPUBuffer; readonly offset: number };
  /** Output row r, column j at offset + r·ld + j. */
  readonly c: { readonly buffer: GPUBuffer; readonly offset: number; readonly ld: number };
}

export function gemv(ctx: Context, g: Gemv): void {
  if (g.m > GEMV_MAX_ROWS) throw new Error(`gemv: ${g.m} rows, at most ${GEMV_MAX_ROWS}`);
  // Enough lanes per output for ≥ 4 vec4 loads each, at most a warp/subgroup's worth.
  const lanes = Math.min(32, Math.max(4, nextPow2(Math.ceil(g.k / 16))));
  ctx.engine.dispatch(gemvKernel, {
    overrides: {
      WG,
      LANES: lanes,
      W_KIND: ELEMENT_KIND[g.w.kind],
      VEC4: g.k % 4 === 0,
      HAS_BIAS: g.bias !== undefined,
    },
    params: { m: g.m, n: g.n, k: g.k, ldc: g.c.ld, c_offset: g.c.offset, bias_offset: g.bias?.offset ?? 0 },
    buffers: [g.x, g.w.buffer, g.bias?.buffer ?? ctx.engine.dummy, g.c.buffer],
    workgroups: ctx.engine.grid(Math.ceil(g.n / (WG / lanes))),
  });
}
