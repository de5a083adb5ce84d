/**
 * Opens the WebGPU backend (gpu/webgpu) on the worker's navigator.gpu, or says why it cannot:
 * no WebGPU in this browser, no adapter, or a device the adapter refused. Loaded on demand so
 * the CPU path does not carry the kernels.
 */
import type { AdapterProbe } from '../../gpu/adapter-class.ts';
import { probeAdapter } from '../../gpu/adapter-class.ts';
import type { Backend } from '../../gpu/backend.ts';

export type WebGpuOpenResult = { readonly ok: true; readonly backend: Backend } | { readonly ok: false; readonly reason: string };

/** The adapter the WebGPU backend would run on, classified (software or hardware). */
export function probeWorkerAdapter(): Promise<AdapterProbe> {
  return probeAdapter((globalThis.navigator as Navigator | undefined)?.gpu);
}

export async function openWebGpuBackend(probe?: AdapterProbe): Promise<WebGpuOpenResult> {
  const found = probe ?? (await probeWorkerAdapter());
  if (!found.ok) return found;
  try {
    const { createWebGpuBackend } = await import('../../gpu/webgpu/index.ts');
    return { ok: true, backend: await createWebGpuBackend({ gpu: navigator.gpu, adapter: found.adapter }) };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

/** Frees a backend's device (WebGPU) when a model using it is closed; a no-op on the CPU. */
export function releaseBackend(backend: Backend): void {
  const destroy = (backend as Partial<{ destroy: () => void }>).destroy;
  if (typeof destroy === 'function') destroy.call(backend);
}
