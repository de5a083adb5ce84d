/**
 * Reuses freed GPU buffers by size class.
 *
 * The trap: `queue.writeBuffer` runs on the queue timeline *before* commands that are encoded but
 * not yet submitted. A buffer freed while a batch is open may still be read by that batch, so it
 * goes to `recent`: kernels that write it through the same encoder may take it (encoder order
 * keeps them after the readers), uploads may not until the batch is submitted (`settle`).
 *
 * First in, first out: a forward pass frees its tensors in the order it made them, so the next
 * pass gets the same buffer for the same tensor and the engine's cached bind groups match.
 */
import { alignUp } from './uniforms.ts';

const SMALL_LIMIT = 1 << 20;

/** Powers of two up to 1 MiB, then eight classes per octave (≤ 12.5 % slack). */
export function sizeClass(bytes: number): number {
  const b = Math.max(256, alignUp(bytes, 16));
  if (b <= SMALL_LIMIT) return 2 ** Math.ceil(Math.log2(b));
  const step = 2 ** Math.floor(Math.log2(b - 1)) / 8;
  return Math.ceil(b / step) * step;
}

export class BufferPool {
  private readonly settled = new Map<number, GPUBuffer[]>();
  private readonly recent = new Map<number, GPUBuffer[]>();
  private settledBytes = 0;

  constructor(private readonly capacityBytes: number) {}

  /** A pooled buffer of exactly `size` bytes; `forUpload` excludes ones freed in the open batch. */
  take(size: number, forUpload: boolean): GPUBuffer | undefined {
    if (!forUpload) {
      const buffer = this.recent.get(size)?.shift();
      if (buffer) return buffer;
    }
    const buffer = this.settled.get(size)?.shift();
    if (buffer) this.settledBytes -= buffer.size;
    return buffer;
  }

  give(buffer: GPUBuffer, batchOpen: boolean): void {
    if (batchOpen) push(this.recent, buffer);
    else this.keep(buffer);
  }

  /** The open batch was submitted: its freed buffers become safe for uploads. */
  settle(): void {
    for (const list of this.recent.values()) for (const buffer of list) this.keep(buffer);
    this.recent.clear();
  }

  get pooledBytes(): number {
    return this.settledBytes;
  }

  destroyAll(): void {
    for (const map of [this.settled, this.recent]) {
      for (const list of map.values()) for (const buffer of list) buffer.destroy();
      map.clear();
    }
    this.settledBytes = 0;
  }

  private keep(buffer: GPUBuffer): void {
    if (this.settledBytes + buffer.size > this.capacityBytes) {
      buffer.destroy();
      return;
    }
    this.settledBytes += buffer.size;
    push(this.settled, buffer);
  }
}

function push(map: Map<number, GPUBuffer[]>, buffer: GPUBuffer): void {
  const list = map.get(buffer.size);
  if (list) list.push(buffer);
  else map.set(buffer.size, [buffer]);
}
