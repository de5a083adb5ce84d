/**
 * Moving .probescope files in and out of the page: through the desktop shell's native dialogs
 * when there is one, else a download (save) and a file input (open). The size bound is checked
 * before a picked file is read into memory.
 */
import { downloadBlob } from '../export/download.ts';
import { DEFAULT_SHARE_LIMITS } from '../storage/share/limits.ts';
import { desktopBridge } from './desktop-bridge.ts';

export interface PickedFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Saves an exported project; resolves with the saved name, or null when the user cancelled. */
export async function saveProjectFile(bytes: Uint8Array, fileName: string): Promise<string | null> {
  const bridge = desktopBridge();
  if (bridge) return (await bridge.saveExport({ suggestedName: fileName, kind: 'probescope', bytes: bytes as Uint8Array<ArrayBuffer> }))?.name ?? null;
  downloadBlob(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), fileName);
  return fileName;
}

/** Reads a File the user chose in the page (web), refusing oversized files before reading them. */
export async function readPickedFile(file: File, maxBytes = DEFAULT_SHARE_LIMITS.maxFileBytes): Promise<PickedFile> {
  if (file.size > maxBytes) throw new Error(`${file.name} is ${file.size} bytes, more than the ${maxBytes}-byte limit for project files`);
  return { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
}

/** The desktop's native open dialog; null when cancelled (or outside the desktop app). */
export async function pickProjectFileNative(): Promise<PickedFile | null> {
  const bridge = desktopBridge();
  return bridge ? bridge.openProjectFile() : null;
}
