/**
 * `ModelSource` over a folder on disk (Node, Electron main). Each read opens the file, reads
 * exactly the requested range and closes it, so a large checkpoint is never read whole.
 *
 * Only regular files are read. A name a config gives (tokenizer.json, a shard) may be a FIFO, a
 * directory or a link to /dev/zero: `has` and `size` report those as an error naming the file
 * instead of reading them (a FIFO blocks forever, /dev/zero never ends), and `read` opens with
 * O_NONBLOCK and checks the opened handle, so a file swapped for a FIFO after the check cannot
 * block either.
 */
import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ModelFormatError } from './errors.ts';
import type { ModelSource } from './source.ts';
import { checkRange, checkRelativeFileName } from './source-paths.ts';

/**
 * Bytes per `FileHandle.read` call. Node aborts the process (a native assertion, not an
 * exception) on a read longer than 2^31 − 1 bytes, and legitimate tensors are larger (the f32
 * embedding of a 2B model is 2.4 GB), so long ranges are read in pieces of this size.
 */
export const MAX_READ_CHUNK = 1 << 30;

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

export class NodeFolderSource implements ModelSource {
  readonly label: string;
  private readonly folder: string;

  constructor(folder: string, label?: string) {
    this.folder = resolve(folder);
    this.label = label ?? this.folder;
  }

  /** True for a regular file, false when nothing is there; anything else is an error naming the file. */
  async has(file: string): Promise<boolean> {
    checkRelativeFileName(file, this.label);
    let info: Stats;
    try {
      info = await stat(this.path(file));
    } catch {
      return false;
    }
    this.checkRegular(file, info);
    return true;
  }

  async size(file: string): Promise<number> {
    checkRelativeFileName(file, this.label);
    let info: Stats;
    try {
      info = await stat(this.path(file));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ModelFormatError(`${this.label}: ${file} not found`);
      throw e;
    }
    this.checkRegular(file, info);
    return info.size;
  }

  async read(file: string, start: number, end: number): Promise<Uint8Array> {
    checkRelativeFileName(file, this.label);
    let handle;
    try {
      handle = await open(this.path(file), constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ModelFormatError(`${this.label}: ${file} not found`);
      throw e;
    }
    try {
      const info = await handle.stat();
      this.checkRegular(file, info);
      checkRange(this.label, file, start, end, info.size);
      const out = this.allocate(file, start, end);
      // read() may return fewer bytes than asked; loop until the range is filled.
      let filled = 0;
      while (filled < out.length) {
        const length = Math.min(out.length - filled, MAX_READ_CHUNK);
        const { bytesRead } = await handle.read(out, filled, length, start + filled);
        if (bytesRead === 0) {
          throw new ModelFormatError(`${this.label}: ${file} ended at byte ${start + filled} while reading [${start}, ${end})`);
        }
        filled += bytesRead;
      }
      return out;
    } finally {
      await handle.close();
    }
  }

  private allocate(file: string, start: number, end: number): Uint8Array {
    try {
      return new Uint8Array(end - start);
    } catch (e) {
      throw new ModelFormatError(
        `${this.label}: ${file}: cannot hold bytes [${start}, ${end}) (${end - start} bytes) in one buffer (${(e as Error).message})`,
      );
    }
  }

  private checkRegular(file: string, info: Stats): void {
    if (!info.isFile()) throw new ModelFormatError(`${this.label}: ${file} is ${kindOf(info)}, not a regular file; refusing to read it`);
  }

  private path(file: string): string {
    return join(this.folder, file);
  }
}
