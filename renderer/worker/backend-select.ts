/**
 * Chooses the compute backend: WebGPU when the preference allows it and an adapter exists,
 * the CPU reference backend otherwise, with a note saying why (shown on the model card).
 */
import type { Backend } from '../../gpu/backend.ts';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import type { BackendPreference } from './contracts.ts';
import { openWebGpuBackend } from './webgpu-backend.ts';

export interface SelectedBackend {
  readonly backend: Backend;
  readonly note: string | null;
}

export async function selectBackend(preference: BackendPreference): Promise<SelectedBackend> {
  if (preference === 'cpu') return { backend: createCpuBackend(), note: 'CPU chosen in settings' };
  const webgpu = await openWebGpuBackend();
  if (webgpu.ok) return { backend: webgpu.backend, note: null };
  const fallback = preference === 'webgpu' ? 'WebGPU was asked for but is unavailable, so the CPU runs it: ' : 'no WebGPU, so the CPU runs it: ';
  return { backend: createCpuBackend(), note: fallback + webgpu.reason };
}
