/**
 * WebGPU bench (issue 13), on whatever adapter is present: GFLOP/s of the GEMM per shape (the
 * GPT-2-small projections at 128 tokens and the unembedding of one row; 4096³ on a real GPU),
 * dispatches per layer and per forward with nothing captured (fused paths) and with everything
 * captured (unfused), forward latency for 128 tokens of a GPT-2-small-shaped model vs the CPU
 * backend (ratio), capture-everything vs capture-nothing (wall-clock and GPU-time ratios), and
 * submissions and readbacks per forward pass. GPU times come from timestamp queries where the
 * adapter has them (per stage: one stage per block). Every ratio is against a baseline measured
 * in the same run. SwiftShader (software) numbers say nothing about a GPU's speed.
 */
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createCpuBackend } from '../gpu/cpu/backend.ts';
import { createNodeWebGpuBackend } from '../gpu/webgpu/node.ts';
import type { StageTime, WebGpuBackend } from '../gpu/webgpu/index.ts';
import { NodeFolderSource } from '../analysis/formats/node-source.ts';
import { loadHostModel } from '../analysis/model/load.ts';
import type { Model } from '../analysis/model/model.ts';
import { modelOnBackend } from '../analysis/model/model.ts';
import { run } from '../analysis/model/run.ts';
import { seededRandom } from '../analysis/model/sampling.ts';
import { writeGpt2Small } from './gpt2-small.ts';

/** Progress on stderr, so a long run on a remote machine shows where it is. */
function progress(step: string): void {
  process.stderr.write(`bench webgpu: ${step}\n`);
}

async function seconds(f: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await f();
  return (performance.now() - t) / 1000;
}

/** [m, k, n]: x [m, k] · w [n, k]ᵀ, the model's linear. */
const GPT2_GEMMS: readonly (readonly [number, number, number])[] = [
  [128, 768, 768], // q, k, v, W_O
  [128, 768, 3072], // W_in
  [128, 3072, 768], // W_out (split-K)
  [1, 768, 50257], // unembedding of the last position
];
const BIG_GEMM = [4096, 4096, 4096] as const;

/** GPU milliseconds of the stages, or null when the adapter cannot time them. */
function gpuMs(stages: readonly StageTime[]): number | null {
  if (stages.length === 0 || stages.some((s) => s.ms === null)) return null;
  return stages.reduce((sum, s) => sum + (s.ms ?? 0), 0);
}

/** GFLOP/s of `linear` on one shape: GPU time from timestamps when there are any, else wall-clock. */
async function gemmGflops(gpu: WebGpuBackend, [m, k, n]: readonly [number, number, number]): Promise<number> {
  const random = seededRandom(m + k + n);
  const x = gpu.upload(Float32Array.from({ length: m * k }, () => random() - 0.5), [m, k]);
  const w = gpu.upload(Float32Array.from({ length: n * k }, () => random() - 0.5), [n, k]);
  const flops = 2 * m * k * n;
  const reps = Math.max(3, Math.min(50, Math.ceil(2e10 / flops)));
  const warm = gpu.linear(x, w);
  await gpu.read([gpu.slice(warm, 0, 0, 1)]);
  gpu.dispose(warm);
  await gpu.stageTimes();
  const wall = await seconds(async () => {
    const outs = Array.from({ length: reps }, () => gpu.linear(x, w));
    gpu.stage('gemm');
    await gpu.read([gpu.slice(outs[outs.length - 1], 0, 0, 1)]);
    outs.forEach((o) => gpu.dispose(o));
  });
  const ms = gpuMs((await gpu.stageTimes()).filter((s) => s.label === 'gemm'));
  [x, w].forEach((t) => gpu.dispose(t));
  return (flops * reps) / (ms !== null ? ms / 1000 : wall) / 1e9;
}

/** One forward's dispatches per block and in all, and its GPU time. */
async function forwardStages(gpu: WebGpuBackend, f: () => Promise<unknown>): Promise<{ perLayer: number[]; total: number; gpuMs: number | null }> {
  await gpu.stageTimes();
  const before = gpu.stats().dispatches;
  await f();
  const stages = await gpu.stageTimes();
  const blocks = stages.filter((s) => s.label.startsWith('block '));
  return { perLayer: blocks.map((s) => s.dispatches), total: gpu.stats().dispatches - before, gpuMs: gpuMs(stages) };
}

const range = (values: readonly number[]) => {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? `${lo}` : `${lo}–${hi}`;
};

export async function benchWebGpu(tokens = 128, options: { cpuBaseline?: boolean } = {}): Promise<Record<string, number | string>> {
  process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
  const gpu = await createNodeWebGpuBackend();
  const timed = gpu.enableTiming();
  const software = /swiftshader|llvmpipe/i.test(gpu.info.adapter);
  const out: Record<string, number | string> = {
    adapter: gpu.info.adapter,
    features: (gpu.info.features ?? []).join(', ') || 'none',
    'GPU times': timed ? 'timestamp-query' : 'wall-clock (no timestamp-query)',
  };
  for (const shape of software ? GPT2_GEMMS : [...GPT2_GEMMS, BIG_GEMM]) {
    progress(`linear ${shape.join('×')}`);
    out[`linear m${shape[0]} k${shape[1]} n${shape[2]} (GFLOP/s)`] = +(await gemmGflops(gpu, shape)).toFixed(1);
  }
  progress('writing a GPT-2-small-shaped checkpoint');
  const written = writeGpt2Small();
  try {
    const host = await loadHostModel(new NodeFolderSource(written.folder));
    const onGpu: Model = modelOnBackend({ ...host, label: 'gpt2-small-shaped' }, gpu);
    const random = seededRandom(3);
    const ids = Array.from({ length: tokens }, () => Math.floor(random() * onGpu.spec.dVocab));
    progress(`forward ${tokens} tokens on WebGPU (warm-up, then timed)`);
    const plainRun = () => run(onGpu, { ids }, { logits: 'last' });
    const allRun = () => run(onGpu, { ids }, { logits: 'last', capture: ['**'] });
    await plainRun(); // warm-up: pipelines, pool, bind groups
    await allRun();
    const plainStages = await forwardStages(gpu, plainRun);
    const allStages = await forwardStages(gpu, allRun);
    const before = gpu.stats();
    const plain = await seconds(plainRun);
    const after = gpu.stats();
    const all = await seconds(allRun);
    out['dispatches per layer, nothing captured'] = range(plainStages.perLayer);
    out['dispatches per forward, nothing captured'] = plainStages.total;
    out['dispatches per layer, everything captured'] = range(allStages.perLayer);
    out['dispatches per forward, everything captured'] = allStages.total;
    out[`forward ${tokens} tokens, WebGPU (s)`] = +plain.toFixed(4);
    if (plainStages.gpuMs !== null) out[`forward ${tokens} tokens, GPU time (ms)`] = +plainStages.gpuMs.toFixed(3);
    out['submissions per forward'] = after.submissions - before.submissions;
    out['readbacks per forward'] = after.readbacks - before.readbacks;
    out['capture-all / capture-nothing (WebGPU, wall)'] = +(all / plain).toFixed(3);
    if (plainStages.gpuMs !== null && allStages.gpuMs !== null) {
      out['capture-all / capture-nothing (WebGPU, GPU time)'] = +(allStages.gpuMs / plainStages.gpuMs).toFixed(3);
    }
    if (options.cpuBaseline !== false) {
      progress(`forward ${tokens} tokens on the CPU backend`);
      const onCpu = modelOnBackend({ ...host, label: 'gpt2-small-shaped' }, createCpuBackend());
      const cpu = await seconds(() => run(onCpu, { ids }, { logits: 'last' }));
      out[`forward ${tokens} tokens, CPU backend (s)`] = +cpu.toFixed(3);
      out['CPU / WebGPU forward time'] = +(cpu / plain).toFixed(2);
    }
  } finally {
    rmSync(written.folder, { recursive: true, force: true });
    gpu.destroy();
  }
  return out;
}
