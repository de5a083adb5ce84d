/**
 * WebGPU bench (issue 3), on whatever adapter is present: GFLOP/s of the WGSL matmul on 1024³,
 * forward latency for 128 tokens of a GPT-2-small-shaped model on WebGPU vs the CPU backend
 * (ratio), capture-everything vs capture-nothing (ratio), and GPU submissions and readbacks per
 * forward pass. Every ratio is against a baseline measured in the same run.
 */
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createCpuBackend } from '../gpu/cpu/backend.ts';
import { createNodeWebGpuBackend } from '../gpu/webgpu/node.ts';
import type { WebGpuBackend } from '../gpu/webgpu/index.ts';
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

async function matmulGflops(gpu: WebGpuBackend, n = 1024, reps = 5): Promise<number> {
  const random = seededRandom(5);
  const a = gpu.upload(Float32Array.from({ length: n * n }, () => random() - 0.5), [n, n]);
  const b = gpu.upload(Float32Array.from({ length: n * n }, () => random() - 0.5), [n, n]);
  const warm = gpu.matmul(a, b);
  await gpu.read([gpu.slice(warm, 0, 0, 1)]);
  const t = await seconds(async () => {
    const outs = Array.from({ length: reps }, () => gpu.matmul(a, b));
    await gpu.read([gpu.slice(outs[outs.length - 1], 0, 0, 1)]);
    outs.forEach((o) => gpu.dispose(o));
  });
  return (2 * n ** 3 * reps) / t / 1e9;
}

export async function benchWebGpu(tokens = 128, options: { cpuBaseline?: boolean } = {}): Promise<Record<string, number | string>> {
  process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
  const gpu = await createNodeWebGpuBackend();
  const out: Record<string, number | string> = { adapter: gpu.info.adapter };
  progress(`adapter ${gpu.info.adapter}; matmul 1024³`);
  out['matmul 1024³ (GFLOP/s)'] = +(await matmulGflops(gpu)).toFixed(2);
  progress('writing a GPT-2-small-shaped checkpoint');
  const written = writeGpt2Small();
  try {
    const host = await loadHostModel(new NodeFolderSource(written.folder));
    const onGpu: Model = modelOnBackend({ ...host, label: 'gpt2-small-shaped' }, gpu);
    const random = seededRandom(3);
    const ids = Array.from({ length: tokens }, () => Math.floor(random() * onGpu.spec.dVocab));
    progress(`forward ${tokens} tokens on WebGPU (warm-up, then timed)`);
    await run(onGpu, { ids }, { logits: 'last' }); // warm-up: pipelines, pool
    const before = gpu.stats();
    const plain = await seconds(() => run(onGpu, { ids }, { logits: 'last' }));
    const after = gpu.stats();
    const all = await seconds(() => run(onGpu, { ids }, { logits: 'last', capture: ['**'] }));
    out[`forward ${tokens} tokens, WebGPU (s)`] = +plain.toFixed(3);
    out['submissions per forward'] = after.submissions - before.submissions;
    out['readbacks per forward'] = after.readbacks - before.readbacks;
    out['capture-all / capture-nothing (WebGPU)'] = +(all / plain).toFixed(3);
    if (options.cpuBaseline !== false) {
      progress(`forward ${tokens} tokens on the CPU backend`);
      const onCpu = modelOnBackend({ ...host, label: 'gpt2-small-shaped' }, createCpuBackend());
      const cpu = await seconds(() => run(onCpu, { ids }, { logits: 'last' }));
      out[`forward ${tokens} tokens, CPU backend (s)`] = +cpu.toFixed(3);
      out['CPU / WebGPU forward time'] = +(cpu / plain).toFixed(2);
    }
  } finally {
    rmSync(written.folder, { recursive: true, force: true });
  }
  return out;
}
