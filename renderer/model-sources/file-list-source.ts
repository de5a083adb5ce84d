/**
 * `ModelSource` over File/Blob objects: a model folder the user picked in the browser
 * (showDirectoryPicker or <input webkitdirectory>). Every read is a `Blob.slice`, so a
 * multi-gigabyte checkpoint is never read whole; only the bytes of one tensor at a time.
 */
import { ModelFormatError } from '../../analysis/formats/errors.ts';
import type { ModelSource } from '../../analysis/formats/source.ts';
import { checkRange, checkRelativeFileName } from '../../analysis/formats/source-paths.ts';

export interface FolderFile {
  /** Path relative to the model folder, "/"-separated ("config.json", "sub/x.json"). */
  readonly path: string;
  readonly file: Blob;
}

export class FileListSource implements ModelSource {
  private readonly files = new Map<string, Blob>();

  constructor(
    readonly label: string,
    files: Iterable<FolderFile>,
  ) {
    for (const { path, file } of files) this.files.set(path, file);
  }

  /** The folder's file names, sorted (for messages and the model picker). */
  get names(): string[] {
    return [...this.files.keys()].sort();
  }

  async has(file: string): Promise<boolean> {
    checkRelativeFileName(file, this.label);
    return this.files.has(file);
  }

  async size(file: string): Promise<number> {
    return this.get(file).size;
  }

  async read(file: string, start: number, end: number): Promise<Uint8Array> {
    const blob = this.get(file);
    checkRange(this.label, file, start, end, blob.size);
    if (start === end) return new Uint8Array(0);
    const bytes = new Uint8Array(await blob.slice(start, end).arrayBuffer());
    if (bytes.length !== end - start) {
      // The file changed on disk after it was picked.
      throw new ModelFormatError(`${this.label}: ${file} returned ${bytes.length} bytes for [${start}, ${end}); was it modified?`);
    }
    return bytes;
  }

  private get(file: string): Blob {
    checkRelativeFileName(file, this.label);
    const blob = this.files.get(file);
    if (blob === undefined) throw new ModelFormatError(`${this.label}: ${file} not found in the folder`);
    return blob;
  }
}

/** A file from <input webkitdirectory>: its path includes the picked folder's name first. */
export interface RelativeFile {
  readonly webkitRelativePath: string;
  readonly name: string;
}

/**
 * Folder name and folder-relative paths of the files an <input webkitdirectory> returned
 * ("stories/config.json" → folder "stories", path "config.json").
 */
export function folderFromInputFiles<F extends Blob & RelativeFile>(list: Iterable<F>): { label: string; files: FolderFile[] } {
  let label = '';
  const files: FolderFile[] = [];
  for (const file of list) {
    const parts = (file.webkitRelativePath || file.name).split('/').filter(Boolean);
    if (parts.length > 1) {
      label ||= parts[0];
      files.push({ path: parts.slice(1).join('/'), file });
    } else {
      files.push({ path: parts[0] ?? file.name, file });
    }
  }
  return { label: label || 'picked folder', files };
}
