/**
 * Opens a model for the CLI: a folder path, a .gguf file or a built-in name, on the chosen backend.
 */
import type { Backend } from '../gpu/backend.ts';
import { createCpuBackend } from '../gpu/cpu/backend.ts';
import { createWasmBackend } from '../gpu/wasm/index.ts';
import { loadHostModelAt } from '../analysis/model/open-path.ts';
import { builtinModelFolder } from '../analysis/model/builtin.ts';
import type { Model } from '../analysis/model/model.ts';
import { modelOnBackend } from '../analysis/model/model.ts';
import { UsageError } from './args.ts';
import { autoBackend } from './auto-backend.ts';

/**
 * `--backend`: auto (the default) is WebGPU on a hardware GPU and otherwise the fast CPU backend,
 * the app's rule (cli/auto-backend.ts); cpu is the fast CPU backend (WebAssembly SIMD, worker threads: gpu/wasm), cpu-ref
 * the float64 reference backend every other backend is tested against, webgpu the GPU;
 * llama.cpp is the reference backend rounding activations as ggml's CPU matmuls do (Q8_0 before
 * Q8_0/Q4_0 weights, F16 before F16 ones), to see exactly what llama.cpp computes on a GGUF file.
 */
export const BACKEND_NAMES = ['auto', 'cpu', 'cpu-ref', 'webgpu', 'llama.cpp'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export async function openBackend(name: BackendName): Promise<Backend> {
  if (name === 'auto') {
    const choice = await autoBackend();
    if (choice.use === 'webgpu') return openBackend('webgpu');
    // A software adapter passed over is the case that misleads; say so (no adapter at all is the norm on a CPU-only machine).
    if (choice.softwareAdapter) process.stderr.write(`probescope: ${choice.reason}\n`);
    return createWasmBackend();
  }
  if (name === 'cpu-ref') return createCpuBackend();
  if (name === 'llama.cpp') return createCpuBackend({ llamaCppParity: true });
  if (name === 'cpu') return createWasmBackend();
  const { createNodeWebGpuBackend } = await import('../gpu/webgpu/node.ts');
  return createNodeWebGpuBackend();
}

export async function openModel(model: string | undefined, backend: Backend): Promise<Model> {
  if (!model) throw new UsageError('--model is required (a Hugging Face folder, a .gguf file or builtin:stories260K)');
  const path = model.startsWith('builtin:') ? builtinModelFolder(model) : model;
  const host = await loadHostModelAt(path);
  return modelOnBackend({ ...host, label: model }, backend);
}
