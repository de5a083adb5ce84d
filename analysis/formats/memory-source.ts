import type { ModelSource } from './source.ts';

/**
 * A `ModelSource` over files held in memory: tests build broken checkpoints with it, and the
 * browser can wrap files it already has (e.g. from a drag-and-drop) without a file system.
 */
export class MemorySource implements ModelSource {
  private readonly files: Map<string, Uint8Array>;
  /** Every successful `read` as [file, start, end], so tests can check reads stay small. */
  readonly reads: Array<[string, number, number]> = [];

  constructor(
    readonly label: string,
    files: Record<string, Uint8Array | string>,
  ) {
    const encoder = new TextEncoder();
    this.files = new Map(
      Object.entries(files).map(([name, data]) => [name, typeof data === 'string' ? encoder.encode(data) : data]),
    );
  }

  async has(file: string): Promise<boolean> {
    return this.files.has(file);
  }

  async size(file: string): Promise<number> {
    return this.get(file).length;
  }

  async read(file: string, start: number, end: number): Promise<Uint8Array> {
    const data = this.get(file);
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > data.length) {
      throw new RangeError(`${this.label}: read of bytes [${start}, ${end}) is outside ${file} (${data.length} bytes)`);
    }
    this.reads.push([file, start, end]);
    // A copy, like a real file read: callers may keep or modify it.
    return data.slice(start, end);
  }

  private get(file: string): Uint8Array {
    const data = this.files.get(file);
    if (data === undefined) throw new Error(`${this.label}: file ${file} not found`);
    return data;
  }
}
