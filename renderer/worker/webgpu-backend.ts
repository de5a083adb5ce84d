/**
 * Opens the WebGPU backend in the worker (WorkerNavigator.gpu), or says why it cannot.
 */
import type { Backend } from '../../gpu/backend.ts';

export type WebGpuOpenResult = { readonly ok: true; readonly backend: Backend } | { readonly ok: false; readonly reason: string };

export async function openWebGpuBackend(): Promise<WebGpuOpenResult> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return { ok: false, reason: 'this browser exposes no WebGPU (navigator.gpu is missing)' };
  // gpu/webgpu's browser entry is not in the tree yet; until it lands the CPU backend runs.
  return { ok: false, reason: 'the WebGPU backend is not part of this build yet' };
}
