/**
 * Node entry point: a WebGPU backend on Dawn (npm `webgpu`). Kept apart from index.ts so
 * browser bundles never see a Node import. Which driver Dawn uses is the environment's choice
 * (e.g. VK_ICD_FILENAMES pointing at SwiftShader in CI).
 */
import { register } from 'node:module';
import type { WebGpuBackend, WebGpuBackendOptions } from './index.ts';

let hooksRegistered = false;
let instance: Promise<GPU> | undefined;

/**
 * Dawn's GPU object, one per process (a second Dawn instance in the same process crashed it
 * in our tests); installs the WebGPU globals (GPUBufferUsage, …) the backend uses.
 */
export function nodeGpu(): Promise<GPU> {
  instance ??= import('webgpu').then(({ create, globals }) => {
    for (const [name, value] of Object.entries(globals)) {
      if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
    }
    return create([]);
  });
  return instance;
}

export async function createNodeWebGpuBackend(options: Omit<WebGpuBackendOptions, 'gpu'> = {}): Promise<WebGpuBackend> {
  // The kernels import their WGSL with Vite's `?raw`; outside Vite (tsx, plain Node) these
  // hooks serve it. The backend is imported only after they are in place.
  if (!hooksRegistered) {
    register('./wgsl-raw-hooks.mjs', import.meta.url);
    hooksRegistered = true;
  }
  const { createWebGpuBackend } = await import('./index.ts');
  return createWebGpuBackend({ ...options, gpu: await nodeGpu() });
}
