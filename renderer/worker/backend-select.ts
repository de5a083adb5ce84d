/**
 * Chooses the compute backend from the preference: CPU or WebGPU when asked for (the CPU when
 * WebGPU cannot open, saying why); for "auto", gpu/adapter-class.ts's rule — WebGPU on a
 * hardware adapter, the CPU on a software one (SwiftShader …) or none. The note says why in
 * one line (sidebar and model card). "The CPU" is the fast CPU backend (gpu/wasm: WebAssembly
 * SIMD, GEMM threads when the page is cross-origin isolated); "cpu-ref" the float64 reference.
 */
import { autoBackendChoice } from '../../gpu/adapter-class.ts';
import type { Backend } from '../../gpu/backend.ts';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { createWasmBackend } from '../../gpu/wasm/index.ts';
import type { BackendPreference } from './contracts.ts';
import { openWebGpuBackend, probeWorkerAdapter } from './webgpu-backend.ts';

export interface SelectedBackend {
  readonly backend: Backend;
  readonly note: string | null;
}

/**
 * The CPU backend the app uses: the fast one, or the reference when WebAssembly cannot start
 * here (e.g. a Content-Security-Policy without 'wasm-unsafe-eval'), with why added to `note`.
 */
export async function createAppCpuBackend(note: string): Promise<SelectedBackend> {
  try {
    return { backend: await createWasmBackend(), note };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { backend: createCpuBackend(), note: `${note}; the fast CPU backend could not start (${why}), so the reference CPU backend runs it` };
  }
}

export async function selectBackend(preference: BackendPreference): Promise<SelectedBackend> {
  if (preference === 'cpu-ref') return { backend: createCpuBackend(), note: 'CPU reference backend chosen in settings' };
  if (preference === 'cpu') return createAppCpuBackend('CPU chosen in settings');
  const probe = await probeWorkerAdapter();
  if (preference === 'auto') {
    const choice = autoBackendChoice(probe.ok ? probe.class : null, probe.ok ? undefined : probe.reason);
    if (choice.use === 'cpu') return createAppCpuBackend(choice.reason);
  }
  const webgpu = await openWebGpuBackend(probe);
  if (webgpu.ok) return { backend: webgpu.backend, note: null };
  const fallback = preference === 'webgpu' ? 'WebGPU was asked for but is unavailable, so the CPU runs it: ' : 'no WebGPU, so the CPU runs it: ';
  return createAppCpuBackend(fallback + webgpu.reason);
}
