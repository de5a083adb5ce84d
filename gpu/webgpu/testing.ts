/**
 * Shared helpers for the WebGPU tests: a seeded generator, the CPU reference, and comparisons
 * with tolerance |gpu − cpu| ≤ abs + rel·|cpu| (equal non-finite values count as equal).
 */
import { expect } from 'vitest';
import type { Backend, HostWeight, Tensor } from '../backend.ts';
import { createCpuBackend } from '../cpu/backend.ts';
import type { WebGpuBackend, WebGpuBackendOptions } from './index.ts';
import { createNodeWebGpuBackend } from './node.ts';
import { seededRandom } from '../random.ts';

export const cpu = createCpuBackend();

export function openGpu(options: Omit<WebGpuBackendOptions, 'gpu'> = {}): Promise<WebGpuBackend> {
  return createNodeWebGpuBackend(options);
}

let shared: Promise<WebGpuBackend> | undefined;

/**
 * The backend the gpu test files share; never destroyed. The gpu projects run their files one
 * after another in one process with modules kept (vitest `isolate: false`), so SwiftShader, which
 * takes seconds per pipeline, compiles each pipeline once per run instead of once per file. A test
 * that needs a fresh backend or other options opens its own with openGpu and destroys it.
 */
export function sharedGpu(): Promise<WebGpuBackend> {
  shared ??= openGpu();
  return shared;
}

/** Seeded uniform [0, 1) generator (the project's one PRNG). */
export const rng = seededRandom;

/** Uniform in [-scale, scale). */
export function randomData(n: number, seed: number, scale = 1): Float32Array {
  const next = rng(seed);
  return Float32Array.from({ length: n }, () => (2 * next() - 1) * scale);
}

/** The same data on both backends. */
export function pair(gpu: Backend, data: Float32Array, shape: readonly number[]): [Tensor, Tensor] {
  return [gpu.upload(data, shape), cpu.upload(data, shape)];
}

export function pairWeight(gpu: Backend, weight: HostWeight): [Tensor, Tensor] {
  return [gpu.uploadWeight(weight), cpu.uploadWeight(weight)];
}

export interface Tolerance {
  readonly abs: number;
  readonly rel: number;
}

export const TIGHT: Tolerance = { abs: 1e-5, rel: 1e-5 };
/** Long f32 dot products (K up to a few hundred) against an f64-accumulating reference. */
export const DOT: Tolerance = { abs: 1e-5, rel: 1e-4 };

export function expectClose(got: Float32Array, want: Float32Array, tol: Tolerance, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < want.length; i++) {
    const a = got[i];
    const b = want[i];
    if (a === b || (Number.isNaN(a) && Number.isNaN(b))) continue;
    const excess = Math.abs(a - b) - (tol.abs + tol.rel * Math.abs(b));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  expect(worst < 0 ? 'ok' : `index ${worst}: got ${got[worst]}, want ${want[worst]}`, what).toBe('ok');
}

/** Reads a GPU tensor and its CPU twin and compares them. */
export async function expectMatch(gpu: Backend, g: Tensor, c: Tensor, tol: Tolerance, what: string): Promise<void> {
  expect(g.shape, `${what}: shape`).toEqual(c.shape);
  const [got] = await gpu.read([g]);
  const [want] = await cpu.read([c]);
  expectClose(got, want, tol, what);
}

/** Random 16-bit weights of magnitude ~2⁻⁶..2 as raw F16 or BF16 bit patterns. */
export function randomHalves(n: number, dtype: 'F16' | 'BF16', seed: number): Uint16Array {
  const next = rng(seed);
  if (dtype === 'BF16') {
    const f32 = randomData(n, seed, 2);
    return Uint16Array.from(new Uint32Array(f32.buffer), (bits) => bits >>> 16);
  }
  return Uint16Array.from({ length: n }, () => {
    const sign = next() < 0.5 ? 0x8000 : 0;
    const exponent = 9 + Math.floor(next() * 7); // 2^(e−15): 2⁻⁶ .. 2⁰
    return sign | (exponent << 10) | Math.floor(next() * 1024);
  });
}
