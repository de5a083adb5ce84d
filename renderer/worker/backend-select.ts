/**
 * Chooses the compute backend from the preference: CPU or WebGPU when asked for (the CPU when
 * WebGPU cannot open, saying why); for "auto", gpu/adapter-class.ts's rule — WebGPU on a
 * hardware adapter, the CPU on a software one (SwiftShader …) or none. The note says why in
 * one line (sidebar and model card).
 */
import { autoBackendChoice } from '../../gpu/adapter-class.ts';
import type { Backend } from '../../gpu/backend.ts';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import type { BackendPreference } from './contracts.ts';
import { openWebGpuBackend, probeWorkerAdapter } from './webgpu-backend.ts';

export interface SelectedBackend {
  readonly backend: Backend;
  readonly note: string | null;
}

/** The CPU backend the app uses (one place to change when a faster CPU backend arrives). */
export function createAppCpuBackend(): Backend {
  return createCpuBackend();
}

export async function selectBackend(preference: BackendPreference): Promise<SelectedBackend> {
  if (preference === 'cpu') return { backend: createAppCpuBackend(), note: 'CPU chosen in settings' };
  const probe = await probeWorkerAdapter();
  if (preference === 'auto') {
    const choice = autoBackendChoice(probe.ok ? probe.class : null, probe.ok ? undefined : probe.reason);
    if (choice.use === 'cpu') return { backend: createAppCpuBackend(), note: choice.reason };
  }
  const webgpu = await openWebGpuBackend(probe);
  if (webgpu.ok) return { backend: webgpu.backend, note: null };
  const fallback = preference === 'webgpu' ? 'WebGPU was asked for but is unavailable, so the CPU runs it: ' : 'no WebGPU, so the CPU runs it: ';
  return { backend: createAppCpuBackend(), note: fallback + webgpu.reason };
}
