/**
 * A ModelSource decorator that counts the bytes read from weight files (*.safetensors), so
 * loading can report progress, and stops reading once the job is cancelled.
 */
import type { ModelSource } from '../../analysis/formats/source.ts';

export interface MeterEvents {
  /** Called after every weight read with bytes read so far and the total known so far. */
  onBytes(done: number, total: number): void;
  /** Throws to abort the load (cancellation). */
  check(): void;
}

const isWeightFile = (file: string) => file.endsWith('.safetensors');

export class MeteredSource implements ModelSource {
  private readonly sizes = new Map<string, number>();
  private done = 0;

  constructor(
    private readonly inner: ModelSource,
    private readonly events: MeterEvents,
  ) {}

  get label(): string {
    return this.inner.label;
  }

  /** Total bytes of the weight files seen so far. */
  get total(): number {
    let t = 0;
    for (const s of this.sizes.values()) t += s;
    return t;
  }

  has(file: string): Promise<boolean> {
    return this.inner.has(file);
  }

  async size(file: string): Promise<number> {
    const size = await this.inner.size(file);
    if (isWeightFile(file)) this.sizes.set(file, size);
    return size;
  }

  async read(file: string, start: number, end: number): Promise<Uint8Array> {
    this.events.check();
    const bytes = await this.inner.read(file, start, end);
    if (isWeightFile(file)) {
      this.done += bytes.length;
      this.events.onBytes(this.done, Math.max(this.total, this.done));
    }
    return bytes;
  }
}
