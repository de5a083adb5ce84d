/**
 * The native file dialogs behind `file:openProject` and `file:saveExport`. The page never names
 * a path: it gets the bytes of a file the user picked, or hands over bytes for a place the user
 * picks, and learns only the file's base name. Electron's dialog and the file system are passed
 * in, so this runs in Node tests.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MAX_TRANSFER_BYTES } from '../ipc/contract.ts';
import type { OpenedFile, SaveExportArgs } from '../ipc/contract.ts';

export interface FileFilter {
  readonly name: string;
  readonly extensions: string[];
}

/** The parts of Electron's dialog module used here (bound to the main window by main.ts). */
export interface DialogLike {
  showOpenDialog(options: { title: string; filters: FileFilter[]; properties: Array<'openFile'> }): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(options: { title: string; defaultPath: string; filters: FileFilter[] }): Promise<{ canceled: boolean; filePath?: string }>;
}

export const EXPORT_FILTERS: Readonly<Record<SaveExportArgs['kind'], FileFilter>> = {
  probescope: { name: 'Probescope project', extensions: ['probescope'] },
  svg: { name: 'SVG image', extensions: ['svg'] },
  png: { name: 'PNG image', extensions: ['png'] },
  csv: { name: 'CSV table', extensions: ['csv'] },
  json: { name: 'JSON data', extensions: ['json'] },
  html: { name: 'HTML report', extensions: ['html'] },
};

/** A base name the contract accepts for display: characters it refuses become "_". */
export function displayName(filePath: string): string {
  const name = path.basename(filePath).replace(/[/\\:*?"<>|\p{Cc}]/gu, '_').slice(0, 255);
  return name === '' || name === '.' || name === '..' ? '_' : name;
}

export async function openProjectFile(dialog: DialogLike, maxBytes: number = MAX_TRANSFER_BYTES): Promise<OpenedFile | null> {
  const picked = await dialog.showOpenDialog({ title: 'Open Probescope project', filters: [EXPORT_FILTERS.probescope], properties: ['openFile'] });
  const file = picked.canceled ? undefined : picked.filePaths[0];
  if (file === undefined) return null;
  const info = await stat(file);
  if (!info.isFile()) throw new Error(`${displayName(file)} is not a file`);
  // Checked before reading: a huge file must not be loaded only to be refused by the importer.
  if (info.size > maxBytes) throw new Error(`${displayName(file)} is ${info.size} bytes, more than the ${maxBytes}-byte limit for project files`);
  const buffer = await readFile(file);
  return { name: displayName(file), bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) };
}

export async function saveExport(dialog: DialogLike, args: SaveExportArgs, defaultDir?: string): Promise<{ name: string } | null> {
  const filter = EXPORT_FILTERS[args.kind];
  const extension = `.${filter.extensions[0]}`;
  const suggested = args.suggestedName.toLowerCase().endsWith(extension) ? args.suggestedName : `${args.suggestedName}${extension}`;
  const picked = await dialog.showSaveDialog({
    title: args.kind === 'probescope' ? 'Export project' : `Export ${filter.name}`,
    defaultPath: defaultDir ? path.join(defaultDir, suggested) : suggested,
    filters: [filter],
  });
  if (picked.canceled || !picked.filePath) return null;
  // Some platforms' dialogs do not add the filter's extension; the file must keep its type.
  const target = picked.filePath.toLowerCase().endsWith(extension) ? picked.filePath : `${picked.filePath}${extension}`;
  await writeFile(target, args.bytes);
  return { name: displayName(target) };
}
