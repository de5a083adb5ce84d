/**
 * `probescope-model://<folderId>/<relative path>`: serves the model files (config, tokenizer,
 * safetensors, GGUF; see `isModelFileName`) of folders the user explicitly opened, with HTTP
 * range reads (safetensors are read in slices). Every other file answers 404.
 * The renderer only ever sees opaque folder ids, never file-system paths.
 */
import { randomUUID } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { resolveInside, serveFile, splitUrlPath, statusResponse } from './files.ts';
import type { ProtocolRequest } from './files.ts';
import { MODEL_SCHEME } from './schemes.ts';

/** Folder ids are host names: lowercase letters, digits and dashes. */
export const FOLDER_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface OpenedFolder {
  readonly folderId: string;
  readonly name: string;
  /** realpath of the folder at the time it was opened. */
  readonly realRoot: string;
}

export class FolderRegistry {
  readonly #folders = new Map<string, OpenedFolder>();
  readonly #newId: () => string;

  constructor(newId: () => string = randomUUID) {
    this.#newId = newId;
  }

  /**
   * Grants the renderer read access to one folder (and nothing above it).
   * Opening the same real folder twice returns the same id.
   */
  async add(folderPath: string, options: { folderId?: string; name?: string } = {}): Promise<{ folderId: string; name: string }> {
    const realRoot = await realpath(path.resolve(folderPath));
    if (!(await stat(realRoot)).isDirectory()) throw new Error(`not a folder: ${folderPath}`);
    for (const folder of this.#folders.values()) {
      if (folder.realRoot === realRoot && (options.folderId === undefined || options.folderId === folder.folderId)) {
        return { folderId: folder.folderId, name: folder.name };
      }
    }
    const folderId = options.folderId ?? this.#newId();
    if (!FOLDER_ID_PATTERN.test(folderId)) throw new Error(`invalid folder id: ${folderId}`);
    if (this.#folders.has(folderId)) throw new Error(`folder id already in use: ${folderId}`);
    const name = options.name ?? path.basename(realRoot);
    this.#folders.set(folderId, { folderId, name, realRoot });
    return { folderId, name };
  }

  get(folderId: string): OpenedFolder | undefined {
    return this.#folders.get(folderId);
  }

  /** Revokes access; later requests for this id answer 404. */
  remove(folderId: string): boolean {
    return this.#folders.delete(folderId);
  }
}

export interface ModelProtocolOptions {
  /** Origins allowed to read model files cross-origin (the app's own origin). */
  readonly allowedOrigins: readonly string[];
}

/**
 * The files a model (or a dictionary stored beside it) is read from. Opening a folder grants
 * the page these and nothing else: not the user's other documents that happen to sit in or
 * under the folder.
 */
const MODEL_FILE_NAMES = new Set([
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'model.safetensors.index.json',
  // Dictionaries: SAELens and circuit-tracer transcoders.
  'cfg.json',
  'config.yaml',
]);
const MODEL_FILE_EXTENSIONS = ['.safetensors', '.gguf'];

export function isModelFileName(name: string): boolean {
  return MODEL_FILE_NAMES.has(name) || MODEL_FILE_EXTENSIONS.some((ext) => name.endsWith(ext) && name.length > ext.length);
}

const URL_PATTERN = new RegExp(`^${MODEL_SCHEME}://([^/?#]*)([^?#]*)`, 'i');

function corsHeaders(origin: string | null, allowed: readonly string[]): Record<string, string> {
  if (origin === null || !allowed.includes(origin)) return {};
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': 'Accept-Ranges, Content-Length, Content-Range',
    Vary: 'Origin',
  };
}

export function createModelProtocolHandler(
  registry: FolderRegistry,
  options: ModelProtocolOptions,
): (request: ProtocolRequest) => Promise<Response> {
  return async (request) => {
    const origin = request.headers.get('origin');
    if (origin !== null && !options.allowedOrigins.includes(origin)) return statusResponse(403);
    const cors = corsHeaders(origin, options.allowedOrigins);
    if (request.method === 'OPTIONS') {
      return statusResponse(204, {
        ...cors,
        'Access-Control-Allow-Methods': 'GET, HEAD',
        'Access-Control-Allow-Headers': 'Range',
        'Access-Control-Max-Age': '600',
      });
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return statusResponse(405, { ...cors, Allow: 'GET, HEAD' });
    }
    const match = URL_PATTERN.exec(request.url);
    if (!match) return statusResponse(400, cors);
    const folder = registry.get((match[1] ?? '').toLowerCase());
    if (!folder) return statusResponse(404, cors);
    const segments = splitUrlPath(match[2] ?? '');
    if (!segments) return statusResponse(400, cors);
    if (!isModelFileName(segments.at(-1) ?? '')) return statusResponse(404, cors);
    const resolved = await resolveInside(folder.realRoot, segments);
    if (!resolved.ok) return statusResponse(resolved.status, cors);
    return serveFile(resolved.realPath, request, cors);
  };
}

/** Builds the URL of a file in an opened folder, encoding each path segment. */
export function modelFileUrl(folderId: string, relativePath: string): string {
  const encoded = relativePath
    .split('/')
    .filter((s) => s !== '')
    .map(encodeURIComponent)
    .join('/');
  return `${MODEL_SCHEME}://${folderId}/${encoded}`;
}
