/**
 * `ModelSource` over a folder on disk (Node, Electron main). Each read opens the file, reads
 * exactly the requested range and closes it, so a large checkpoint is never read whole.
 */
import { open, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ModelFormatError } from './errors.ts';
import type { ModelSource } from './source.ts';
import { checkRange, checkRelativeFileName } from './source-paths.ts';

export class NodeFolderSource implements ModelSource {
  readonly label: string;
  private readonly folder: string;

  constructor(folder: string, label?: string) {
    this.folder = resolve(folder);
    this.label = label ?? this.folder;
  }

  async has(file: string): Promise<boolean> {
    checkRelativeFileName(file, this.label);
    try {
      return (await stat(this.path(file))).isFile();
    } catch {
      return false;
    }
  }

  async size(file: string): Promise<number> {
    checkRelativeFileName(file, this.label);
    try {
      const info = await stat(this.path(file));
      if (!info.isFile()) throw new ModelFormatError(`${this.label}: ${file} is not a file`);
      return info.size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ModelFormatError(`${this.label}: ${file} not found`);
      throw e;
    }
  }

  async read(file: string, start: number, end: number): Promise<Uint8Array> {
    checkRelativeFileName(file, this.label);
    const size = await this.size(file);
    checkRange(this.label, file, start, end, size);
    const out = new Uint8Array(end - start);
    const handle = await open(this.path(file), 'r');
    try {
      // read() may return fewer bytes than asked; loop until the range is filled.
      let filled = 0;
      while (filled < out.length) {
        const { bytesRead } = await handle.read(out, filled, out.length - filled, start + filled);
        if (bytesRead === 0) {
          throw new ModelFormatError(`${this.label}: ${file} ended at byte ${start + filled} while reading [${start}, ${end})`);
        }
        filled += bytesRead;
      }
    } finally {
      await handle.close();
    }
    return out;
  }

  private path(file: string): string {
    return join(this.folder, file);
  }
}
