/**
 * The dictionary folders the user opened this session, by reference. A folder is opened with
 * analysis/dictionaries/open-set.ts (SAELens, circuit-tracer, Gemma Scope 2, or one SAELens
 * folder per hook), checked against the open model (hooks exist, widths match; the error names
 * the dictionary, hook and width), then kept on the host so methods can place it on the
 * model's backend for each run.
 */
import { checkDictionaryForModel } from '../../analysis/dictionaries/open.ts';
import { openDictionarySet } from '../../analysis/dictionaries/open-set.ts';
import type { HostDictionary } from '../../analysis/dictionaries/dictionary.ts';
import type { ModelSource } from '../../analysis/formats/source.ts';
import type { Model } from '../../analysis/model/model.ts';
import type { FolderFile } from '../model-sources/file-list-source.ts';
import type { OpenedDictionaries } from './dictionary-contracts.ts';
import { JobInputError } from './errors.ts';

export const USER_DICTIONARY_PREFIX = 'folder:';

export class UserDictionaries {
  private readonly opened = new Map<string, HostDictionary[]>();
  private count = 0;

  /** Opens every dictionary of `source`, checks each against `model`, and registers them under a new reference. */
  async open(source: ModelSource, model: Model, digest: string): Promise<OpenedDictionaries> {
    const found = await openDictionarySet(source, model.hookPoints.map((p) => p.name), model.spec.nLayers);
    for (const d of found) checkDictionaryForModel(d.config, model.hookPoints, model.spec);
    const ref = `${USER_DICTIONARY_PREFIX}${++this.count}/${source.label}`;
    this.opened.set(ref, found);
    return {
      ref,
      label: source.label,
      digest,
      dictionaries: found.map(({ config: c }) => ({ label: c.label, architecture: c.architecture, hookIn: c.hookIn, hookOut: c.hookOut, dSae: c.dSae })),
    };
  }

  has(ref: string): boolean {
    return ref.startsWith(USER_DICTIONARY_PREFIX);
  }

  /** The dictionaries of an opened folder; `field` names the params field in the error. */
  resolve(ref: string, field: string): HostDictionary[] {
    const found = this.opened.get(ref);
    if (!found) throw new JobInputError(`params.${field}: ${ref} is not open in this session (open the folder again)`);
    return found;
  }
}

function hex(digest: ArrayBuffer): string {
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

const WINDOWS = 16;
const WINDOW_BYTES = 64 * 1024;

/** Byte ranges of a file that the digest reads: all of it when small, else WINDOWS windows spread evenly. */
function sampledRanges(size: number): Array<[number, number]> {
  if (size <= WINDOWS * WINDOW_BYTES) return [[0, size]];
  const step = (size - WINDOW_BYTES) / (WINDOWS - 1);
  return Array.from({ length: WINDOWS }, (_, k) => [Math.floor(k * step), Math.floor(k * step) + WINDOW_BYTES] as [number, number]);
}

/**
 * SHA-256 over every file's path and size and a bounded sample of its bytes (at most 1 MiB per
 * file, so a multi-gigabyte dictionary is not read whole), so two folders with the same name but
 * other weights get other stored dashboards. Not a security check: an edit between windows is
 * not seen.
 */
export async function folderDigest(files: readonly FolderFile[]): Promise<string> {
  const parts: Uint8Array[] = [];
  const text = new TextEncoder();
  for (const { path, file } of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    parts.push(text.encode(`${path}\n${file.size}\n`));
    for (const [start, end] of sampledRanges(file.size)) parts.push(new Uint8Array(await file.slice(start, end).arrayBuffer()));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return `sha256:${hex(await globalThis.crypto.subtle.digest('SHA-256', all))}`;
}
