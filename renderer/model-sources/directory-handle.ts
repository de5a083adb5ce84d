/**
 * Reads a folder picked with `showDirectoryPicker` (Chromium) into FolderFile entries. File
 * handles become File objects (Blobs backed by the disk), so reading stays lazy.
 *
 * The File System Access API is declared here because TypeScript's DOM library lacks the
 * async iteration and the picker.
 */
import type { FolderFile } from './file-list-source.ts';

interface FileHandle {
  readonly kind: 'file';
  readonly name: string;
  getFile(): Promise<File>;
}
interface DirectoryHandle {
  readonly kind: 'directory';
  readonly name: string;
  values(): AsyncIterable<FileHandle | DirectoryHandle>;
}
type DirectoryPicker = (options?: { mode?: 'read' }) => Promise<DirectoryHandle>;

/** Subfolders deeper than this are ignored (model folders are flat; this bounds a wrong pick). */
const MAX_DEPTH = 2;

export function hasDirectoryPicker(): boolean {
  return typeof (globalThis as { showDirectoryPicker?: unknown }).showDirectoryPicker === 'function';
}

/** Asks the user for a folder; null when they cancel. */
export async function pickDirectory(): Promise<{ label: string; files: FolderFile[] } | null> {
  const picker = (globalThis as unknown as { showDirectoryPicker: DirectoryPicker }).showDirectoryPicker;
  let dir: DirectoryHandle;
  try {
    dir = await picker({ mode: 'read' });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') return null;
    throw e;
  }
  const files: FolderFile[] = [];
  await collect(dir, '', 0, files);
  return { label: dir.name, files };
}

async function collect(dir: DirectoryHandle, prefix: string, depth: number, out: FolderFile[]): Promise<void> {
  for await (const entry of dir.values()) {
    if (entry.name.startsWith('.')) continue;
    if (entry.kind === 'file') out.push({ path: prefix + entry.name, file: await entry.getFile() });
    else if (depth < MAX_DEPTH) await collect(entry, `${prefix}${entry.name}/`, depth + 1, out);
  }
}
