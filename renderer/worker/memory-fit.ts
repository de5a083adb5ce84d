/**
 * Before loading: the memory a checkpoint needs (analysis/model/memory-need.ts) against what the
 * chosen backend offers, so a model that cannot fit is refused with a message naming both,
 * instead of crashing or freezing the tab halfway through the weights.
 *
 * What a backend offers, as far as the browser lets us know:
 * - CPU backends keep the weights in this worker's memory: `navigator.deviceMemory` (GiB, rounded
 *   down and capped at 8 by browsers, so only a value below 8 is a real upper bound);
 * - WebGPU: the adapter's maxBufferSize bounds one buffer (the engine splits weights across
 *   bindings, not across buffers); WebGPU does not report total GPU memory.
 */
import type { Backend } from '../../gpu/backend.ts';
import type { MemoryNeed } from '../../analysis/model/memory-need.ts';

export interface MemoryOffer {
  /** Memory the weights must fit in, or null when the browser does not say. */
  readonly totalBytes: number | null;
  /** What totalBytes is, for messages. */
  readonly totalLimit: string;
  /** Largest single allocation, or null when unbounded for us. */
  readonly bufferBytes: number | null;
  readonly bufferLimit: string;
}

const GiB = 2 ** 30;

/** Bytes as GiB (MiB below 1 GiB), one decimal. */
export function gib(bytes: number): string {
  return bytes < GiB ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / GiB).toFixed(1)} GiB`;
}

/** navigator.deviceMemory in bytes when it is below the browsers' cap of 8 GiB (a real bound). */
function deviceMemoryBytes(): number | null {
  const gb = (globalThis.navigator as (Navigator & { deviceMemory?: number }) | undefined)?.deviceMemory;
  return typeof gb === 'number' && gb > 0 && gb < 8 ? gb * GiB : null;
}

export function memoryOffer(backend: Backend): MemoryOffer {
  const device = deviceMemoryBytes();
  const total = { totalBytes: device, totalLimit: device === null ? 'this device’s memory (the browser does not report more than 8 GiB)' : `this device’s memory (navigator.deviceMemory ${gib(device)})` };
  const limits = (backend as Partial<{ device: GPUDevice }>).device?.limits;
  if (backend.info.name === 'webgpu' && limits) {
    return { ...total, bufferBytes: limits.maxBufferSize, bufferLimit: `the WebGPU adapter’s maxBufferSize (${gib(limits.maxBufferSize)})` };
  }
  return { ...total, bufferBytes: null, bufferLimit: '' };
}

/** One line for the progress bar: the need against the offer. */
export function describeFit(need: MemoryNeed, offer: MemoryOffer): string {
  const weights = `weights need ${gib(need.weightBytes)} (${need.dtypes.join('/')}, ${need.tensors} tensors, kept as stored)`;
  return offer.totalBytes === null ? `${weights}; ${offer.totalLimit}` : `${weights} of ${gib(offer.totalBytes)} available`;
}

/** The refusal message when the checkpoint cannot fit, else null. */
export function misfit(need: MemoryNeed, offer: MemoryOffer): string | null {
  if (offer.totalBytes !== null && need.weightBytes > offer.totalBytes) {
    return `This model does not fit: its weights need ${gib(need.weightBytes)} (${need.dtypes.join('/')}), more than ${offer.totalLimit}. Open a smaller model or a quantised one.`;
  }
  if (offer.bufferBytes !== null && need.largest.bytes > offer.bufferBytes) {
    return `This model does not fit: its largest tensor "${need.largest.name}" needs ${gib(need.largest.bytes)}, more than ${offer.bufferLimit}. Use the CPU backend (Model page) or a smaller model.`;
  }
  return null;
}
