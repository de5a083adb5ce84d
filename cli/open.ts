/**
 * Opens a model for the CLI: a folder path or a built-in name, on the chosen backend.
 */
import type { Backend } from '../gpu/backend.ts';
import { createCpuBackend } from '../gpu/cpu/backend.ts';
import { createWasmBackend } from '../gpu/wasm/index.ts';
import { NodeFolderSource } from '../analysis/formats/node-source.ts';
import { loadHostModel } from '../analysis/model/load.ts';
import { builtinModelFolder } from '../analysis/model/builtin.ts';
import type { Model } from '../analysis/model/model.ts';
import { modelOnBackend } from '../analysis/model/model.ts';
import { UsageError } from './args.ts';

/**
 * `--backend`: cpu is the fast CPU backend (WebAssembly SIMD, worker threads: gpu/wasm), cpu-ref
 * the float64 reference backend every other backend is tested against, webgpu the GPU.
 */
export const BACKEND_NAMES = ['cpu', 'cpu-ref', 'webgpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export async function openBackend(name: BackendName): Promise<Backend> {
  if (name === 'cpu-ref') return createCpuBackend();
  if (name === 'cpu') return createWasmBackend();
  const { createNodeWebGpuBackend } = await import('../gpu/webgpu/node.ts');
  return createNodeWebGpuBackend();
}

export async function openModel(model: string | undefined, backend: Backend): Promise<Model> {
  if (!model) throw new UsageError('--model is required (a Hugging Face folder or builtin:stories260K)');
  const folder = model.startsWith('builtin:') ? builtinModelFolder(model) : model;
  const host = await loadHostModel(new NodeFolderSource(folder));
  return modelOnBackend({ ...host, label: model }, backend);
}
