/**
 * Launcher for rope.wgsl: rotary embedding with cos/sin per (token, frequency) from the host.
 * A forward pass rotates q and k of every layer at the same positions, so the last table stays
 * on the GPU and is reused while positions, rotaryDims and theta repeat.
 */
import { numel, shapeString, type RopeFrequencies } from '../../backend.ts';
import { defineKernel } from '../kernel.ts';
import type { Context, GpuTensor, Operand } from '../tensor.ts';
import source from './rope.wgsl?raw';

export const ropeKernel = defineKernel(
  'rope',
  source,
  { count: 'u32', heads: 'u32', d_head: 'u32', half: 'u32' },
  ['read', 'read', 'read_write'],
);

const WG = 256;

/**
 * [token, j] → (cos, sin) of positions[token] · inv_freq_j, inv_freq_j = θ^(−2j/rotaryDims)
 * rounded to f32 first (as the reference implementations do), the angle and cos/sin in f64.
 * Positions may be negative (the inverse rotation).
 */
function rotaryTable(positions: Int32Array, rotaryDims: number, theta: number, freqs: RopeFrequencies | undefined): Float32Array {
  const half = rotaryDims / 2;
  const table = new Float32Array(2 * positions.length * half);
  // Scaled RoPE (llama3, linear, longrope) gives the frequencies and an amplitude for cos and sin.
  const invFreq = freqs ? Array.from(freqs.invFreq) : Array.from({ length: half }, (_, j) => Math.fround(1 / Math.pow(theta, (2 * j) / rotaryDims)));
  const amplitude = freqs?.amplitude ?? 1;
  positions.forEach((pos, token) => {
    for (let j = 0; j < half; j++) {
      const angle = pos * invFreq[j];
      table[2 * (token * half + j)] = Math.cos(angle) * amplitude;
      table[2 * (token * half + j) + 1] = Math.sin(angle) * amplitude;
    }
  });
  return table;
}

interface CachedTable {
  readonly positions: Int32Array;
  readonly rotaryDims: number;
  readonly theta: number;
  readonly freqs: RopeFrequencies | undefined;
  readonly table: Operand;
}

const lastTable = new WeakMap<Context, CachedTable>();

function sameFrequencies(a: RopeFrequencies | undefined, b: RopeFrequencies | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (a.amplitude ?? 1) === (b.amplitude ?? 1) && a.invFreq.length === b.invFreq.length && a.invFreq.every((f, i) => f === b.invFreq[i]);
}

function tableFor(ctx: Context, positions: Int32Array, rotaryDims: number, theta: number, freqs: RopeFrequencies | undefined): GPUBuffer {
  const cached = lastTable.get(ctx);
  if (
    cached &&
    cached.rotaryDims === rotaryDims &&
    cached.theta === theta &&
    sameFrequencies(cached.freqs, freqs) &&
    cached.positions.length === positions.length &&
    cached.positions.every((p, i) => p === positions[i])
  ) {
    return cached.table.buffer;
  }
  // Released into the pool: dispatches already encoded with it run before any reuse.
  cached?.table.done();
  const table = ctx.scratch(rotaryTable(positions, rotaryDims, theta, freqs), 'rope cos/sin');
  lastTable.set(ctx, { positions: positions.slice(), rotaryDims, theta, freqs, table });
  return table.buffer;
}

export function rope(ctx: Context, x: GpuTensor, positions: Int32Array, rotaryDims: number, theta: number, freqs?: RopeFrequencies): GpuTensor {
  if (x.shape.length !== 4) throw new Error(`rope: x must be [batch, pos, head, dHead], got ${shapeString(x.shape)}`);
  const [batch, pos, heads, dHead] = x.shape;
  if (positions.length !== batch * pos) {
    throw new Error(`rope: ${positions.length} positions for batch·pos = ${batch * pos}`);
  }
  if (!Number.isInteger(rotaryDims) || rotaryDims % 2 !== 0 || rotaryDims < 0 || rotaryDims > dHead) {
    throw new Error(`rope: rotaryDims ${rotaryDims} must be even and at most dHead ${dHead}`);
  }
  const half = rotaryDims / 2;
  const src = ctx.f32(x, 'rope');
  if (freqs && freqs.invFreq.length !== rotaryDims / 2) throw new Error(`rope: ${freqs.invFreq.length} frequencies for ${rotaryDims} rotary dims`);
  const table = tableFor(ctx, positions, rotaryDims, theta, freqs);
  const out = ctx.output(x.shape, 'rope output');
  const count = numel(x.shape);
  ctx.engine.dispatch(ropeKernel, {
    overrides: { WG },
    params: { count, heads, d_head: dHead, half },
    buffers: [src.buffer, table, ctx.buffer(out)],
    workgroups: ctx.engine.grid(Math.ceil(count / WG)),
  });
  src.done();
  return out;
}
