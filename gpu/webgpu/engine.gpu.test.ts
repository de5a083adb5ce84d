/**
 * Engine mechanics: uniform structs and bindings agree between host and WGSL, a forward pass is
 * one submission and one readback, pipelines and buffers are reused, errors are clear and leave
 * the backend usable, device loss rejects pending reads, and erf is accurate to ~1e-7.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend, Tensor } from '../backend.ts';
import { createWebGpuBackend, type WebGpuBackend } from './index.ts';
import type { Kernel } from './kernel.ts';
import { fusedAttentionKernel } from './kernels/attention.ts';
import { convertKernel } from './kernels/convert.ts';
import { binaryKernel } from './kernels/binary.ts';
import { copyKernel } from './kernels/copy.ts';
import { fillKernel } from './kernels/fill.ts';
import { gatherKernel } from './kernels/gather.ts';
import { gemvKernel } from './kernels/gemv.ts';
import { gemmReduceKernel, matmulKernel } from './kernels/matmul.ts';
import { normScaleKernel } from './kernels/norm_scale.ts';
import { normalizeKernel } from './kernels/normalize.ts';
import { reduceKernel } from './kernels/reduce.ts';
import { ropeKernel } from './kernels/rope.ts';
import { selectKernel } from './kernels/select.ts';
import { softmaxKernel } from './kernels/softmax.ts';
import { topKKernel } from './kernels/topk.ts';
import { unaryKernel } from './kernels/unary.ts';
import type { UniformFields } from './uniforms.ts';
import { cpu, DOT, expectClose, openGpu, randomData, sharedGpu } from './testing.ts';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await sharedGpu();
});

const KERNELS: Kernel<UniformFields>[] = [
  binaryKernel,
  fusedAttentionKernel,
  gemmReduceKernel,
  convertKernel,
  copyKernel,
  fillKernel,
  gatherKernel,
  gemvKernel,
  matmulKernel,
  normScaleKernel,
  normalizeKernel,
  reduceKernel,
  ropeKernel,
  selectKernel,
  softmaxKernel,
  topKKernel,
  unaryKernel,
];

describe('host ↔ WGSL layout', () => {
  it.each(KERNELS.map((k) => [k.name, k] as const))('%s: Params fields and bindings follow the host', (_, kernel) => {
    const struct = /struct Params \{([^}]*)\}/.exec(kernel.source);
    expect(struct, 'struct Params').not.toBeNull();
    const fields = struct![1]
      .split('\n')
      .map((line) => line.replace(/\/\/.*$/, '').trim().replace(/,$/, ''))
      .filter((line) => line.length > 0);
    expect(fields).toEqual(kernel.params.declaration);
    expect(kernel.source).toContain('@group(0) @binding(0) var<uniform> params: Params;');
    const bindings = [...kernel.source.matchAll(/@group\(0\) @binding\((\d+)\) var<storage, (read|read_write)>/g)];
    expect(bindings.map((m) => Number(m[1]))).toEqual(kernel.bindings.map((_, i) => i + 1));
    expect(bindings.map((m) => m[2])).toEqual(kernel.bindings);
  });
});

/** A one-layer pre-norm transformer on any backend (weights uploaded once). */
function tinyModel(backend: Backend) {
  const d = 24;
  const heads = 3;
  const dHead = 8;
  const vocab = 41;
  const w = (shape: number[], seed: number) => backend.upload(randomData(shape.reduce((p, s) => p * s, 1), seed, 0.5), shape);
  const weights = {
    embed: w([vocab, d], 1),
    ln: w([d], 2),
    wq: w([d, d], 3),
    wk: w([d, d], 4),
    wv: w([d, d], 5),
    wo: w([d, d], 6),
    up: w([37, d], 7),
    down: w([d, 37], 8),
  };
  return (ids: Int32Array, capture: Tensor[]): Tensor => {
    const pos = ids.length;
    const temps: Tensor[] = [];
    const keep = <T extends Tensor>(t: T): T => (temps.push(t), t);
    const norm = (x: Tensor) => keep(backend.mul(keep(backend.normalize(x, keep(backend.normScale(x, false, 1e-6)), false)), weights.ln));
    const x0 = keep(backend.gather(weights.embed, ids));
    const h = norm(x0);
    const split = (t: Tensor) => keep(backend.reshape(t, [1, pos, heads, dHead]));
    const positions = Int32Array.from({ length: pos }, (_, i) => i);
    const q = keep(backend.rope(split(keep(backend.linear(h, weights.wq))), positions, dHead, 10000));
    const k = keep(backend.rope(split(keep(backend.linear(h, weights.wk))), positions, dHead, 10000));
    const v = split(keep(backend.linear(h, weights.wv)));
    const pattern = keep(backend.softmax(keep(backend.attentionScores(q, k, 1 / Math.sqrt(dHead), { queryOffset: 0 }))));
    capture.push(pattern);
    const z = keep(backend.reshape(keep(backend.attentionMix(pattern, v)), [pos, d]));
    const x1 = keep(backend.add(x0, keep(backend.linear(z, weights.wo))));
    const mlp = keep(backend.linear(keep(backend.unary(keep(backend.linear(norm(x1), weights.up)), 'gelu_tanh')), weights.down));
    const x2 = keep(backend.add(x1, mlp));
    capture.push(x2);
    const logits = backend.linear(norm(x2), weights.embed);
    for (const t of temps) if (!capture.includes(t)) backend.dispose(t);
    return logits;
  };
}

describe('batching, reuse, readback', () => {
  it('a forward pass is one submission and one readback, and matches the CPU', async () => {
    const ids = Int32Array.from([3, 17, 40, 0, 9]);
    const forwardGpu = tinyModel(gpu);
    const forwardCpu = tinyModel(cpu);
    await gpu.sync();
    const before = gpu.stats();
    const capture: Tensor[] = [];
    const logits = forwardGpu(ids, capture);
    expect(gpu.stats().submissions).toBe(before.submissions); // nothing submitted while encoding
    const [got, pattern, resid] = await gpu.read([logits, ...capture]);
    const after = gpu.stats();
    expect(after.submissions - before.submissions).toBe(1);
    expect(after.readbacks - before.readbacks).toBe(1);
    expect(after.bytesRead - before.bytesRead).toBe(4 * (5 * 41 + 3 * 5 * 5 + 5 * 24));
    const cpuCapture: Tensor[] = [];
    const [want, wantPattern, wantResid] = await cpu.read([forwardCpu(ids, cpuCapture), ...cpuCapture]);
    expectClose(got, want, DOT, 'logits');
    expectClose(pattern, wantPattern, DOT, 'pattern');
    expectClose(resid, wantResid, DOT, 'resid');
    for (const t of [logits, ...capture]) gpu.dispose(t);

    // The same pass again: cached pipelines, pooled buffers.
    const again: Tensor[] = [];
    const logits2 = forwardGpu(ids, again);
    const [got2] = await gpu.read([logits2]);
    const second = gpu.stats();
    expect(second.pipelines).toBe(after.pipelines);
    expect(second.buffersCreated).toBe(after.buffersCreated);
    expect(second.submissions - after.submissions).toBe(1);
    expect(Array.from(got2)).toEqual(Array.from(got));
  });
});

describe('errors', () => {
  it('no adapter, no WebGPU', async () => {
    const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
    await expect(createWebGpuBackend({ gpu: noAdapter })).rejects.toThrow(/WebGPU: no adapter found/);
    await expect(createWebGpuBackend({})).rejects.toThrow(/not available here/);
  });

  it('allocations over the binding limit name the tensor, its size and the limit', () => {
    expect(() => gpu.fill([2 ** 14, 2 ** 15], 0)).toThrow(/fill \[16384, 32768\] needs 2147483648 bytes, over the storage binding limit of \d+ bytes/);
  });

  it('tensors of another backend or disposed ones are refused', () => {
    expect(() => gpu.softmax(cpu.fill([2], 0))).toThrow(/belongs to another backend/);
    const t = gpu.fill([3], 1);
    gpu.dispose(t);
    expect(() => gpu.softmax(t)).toThrow(/disposed/);
  });

  it('a device error surfaces at the next read and leaves the backend usable', async () => {
    gpu.device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE }); // invalid usage
    await expect(gpu.read([gpu.fill([3], 1)])).rejects.toThrow(/WebGPU: /);
    const [ok] = await gpu.read([gpu.fill([3], 2)]);
    expect(Array.from(ok)).toEqual([2, 2, 2]);
  });

  it('device loss rejects pending reads and every later call', async () => {
    const doomed = await openGpu();
    const pending = doomed.read([doomed.fill([5], 1)]);
    doomed.device.destroy();
    await expect(pending).rejects.toThrow(/WebGPU device lost \(destroyed\)/);
    expect(() => doomed.fill([5], 1)).toThrow(/device lost/);
    await expect(doomed.sync()).rejects.toThrow(/device lost/);
  });
});

describe('erf', () => {
  /** erf in f64 to ~1e-15: Taylor series near 0, continued fraction for erfc beyond. */
  function erfExact(z: number): number {
    const a = Math.abs(z);
    let r: number;
    if (a < 2.5) {
      let term = a;
      let sum = a;
      for (let n = 1; n < 100; n++) {
        term *= (-a * a) / n;
        sum += term / (2 * n + 1);
      }
      r = (2 / Math.sqrt(Math.PI)) * sum;
    } else {
      let k = 0;
      for (let n = 80; n >= 1; n--) k = n / 2 / (a + k);
      r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + k);
    }
    return z < 0 ? -r : r;
  }

  it('gelu_erf is within f32 rounding of the exact function (erf error < 1e-7)', async () => {
    const xs = Float32Array.from({ length: 4001 }, (_, i) => -8 + (16 * i) / 4000);
    const [got] = await gpu.read([gpu.unary(gpu.upload(xs, [xs.length]), 'gelu_erf')]);
    let worst = 0;
    xs.forEach((x, i) => {
      const exact = 0.5 * x * (1 + erfExact(x / Math.SQRT2));
      // erf error e moves gelu by 0.5·|x|·e; the rest is f32 rounding of the result.
      const excess = Math.abs(got[i] - exact) / (0.5 * Math.abs(x) * 1e-7 + 1.2e-7 * Math.abs(exact) + 1e-30);
      worst = Math.max(worst, excess);
    });
    expect(worst).toBeLessThan(1);
  });
});
