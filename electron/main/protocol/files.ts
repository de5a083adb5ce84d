/**
 * Confined file serving shared by the app and model protocols: URL path to
 * file inside one root folder (no traversal, no symlink escape), single HTTP
 * byte ranges, and a streaming Response. Plain Node; no Electron import.
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** The parts of a fetch Request the handlers read (Electron passes a real Request). */
export interface ProtocolRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: { get(name: string): string | null };
}

export type Resolved = { ok: true; realPath: string } | { ok: false; status: 400 | 403 | 404 };

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(filePath: string): string {
  return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Splits the path part of a URL (everything after the authority, before `?`/`#`)
 * into decoded segments. Returns null for anything that could name a file
 * outside the folder or is ambiguous: `.`/`..` (also percent-encoded), empty
 * segments, encoded separators, backslashes, NUL, drive letters / ADS colons,
 * malformed percent-encoding.
 */
export function splitUrlPath(rawPath: string): string[] | null {
  const trimmed = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  if (trimmed === '') return null;
  const segments: string[] = [];
  for (const raw of trimmed.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (segment === '' || segment === '.' || segment === '..') return null;
    if (/[/\\:\0]/.test(segment)) return null;
    segments.push(segment);
  }
  return segments;
}

/** True when `candidate` is `root` itself or lies below it (both already real paths). */
export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/**
 * Resolves URL path segments to a real file path inside `realRoot` (which must
 * itself be a realpath). Symlinks are followed and the final target must still
 * be inside the root.
 */
export async function resolveInside(realRoot: string, segments: readonly string[]): Promise<Resolved> {
  const joined = path.join(realRoot, ...segments);
  if (!isInside(realRoot, joined)) return { ok: false, status: 403 };
  let real: string;
  try {
    real = await realpath(joined);
  } catch {
    return { ok: false, status: 404 };
  }
  if (!isInside(realRoot, real)) return { ok: false, status: 403 };
  return { ok: true, realPath: real };
}

export type ByteRange = { start: number; end: number };
/** `null`: no Range header (serve everything); `'invalid'`: answer 416. */
export type RangeResult = ByteRange | null | 'invalid';

/**
 * Parses a Range header for a file of `size` bytes. One range only:
 * `bytes=a-b`, `bytes=a-`, `bytes=-n`. `end` is clamped to the last byte.
 * Malformed, multi-range and unsatisfiable ranges are all `'invalid'`.
 */
export function parseRange(header: string | null, size: number): RangeResult {
  if (header === null) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return 'invalid';
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return 'invalid';
  if (a === '') {
    const suffix = Number(b);
    if (!Number.isSafeInteger(suffix) || suffix === 0 || size === 0) return 'invalid';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) return 'invalid';
  if (b !== '' && Number(b) < start) return 'invalid';
  if (start >= size) return 'invalid';
  return { start, end };
}

const CHUNK = 1 << 20;

function fileStream(handle: FileHandle, start: number, length: number): ReadableStream<Uint8Array> {
  let position = start;
  let remaining = length;
  let closed = false;
  const close = async (): Promise<void> => {
    if (!closed) {
      closed = true;
      await handle.close();
    }
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (remaining === 0) {
            await close();
            controller.close();
            return;
          }
          const buffer = new Uint8Array(Math.min(CHUNK, remaining));
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
          if (bytesRead === 0) throw new Error('file shrank while it was being read');
          position += bytesRead;
          remaining -= bytesRead;
          controller.enqueue(buffer.subarray(0, bytesRead));
          if (remaining === 0) {
            await close();
            controller.close();
          }
        } catch (err) {
          await close().catch(() => undefined);
          controller.error(err);
        }
      },
      async cancel() {
        await close();
      },
    },
    { highWaterMark: 0 },
  );
}

/** A bodiless response with the given status. */
export function statusResponse(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers });
}

/**
 * Serves one already-confined real file for a GET or HEAD request, honouring a
 * single byte range. `extraHeaders` are added to every response.
 */
export async function serveFile(
  realPath: string,
  request: ProtocolRequest,
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  let handle: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer (forever); the
    // isFile check below then refuses it. Regular files ignore the flag.
    handle = await open(realPath, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return statusResponse(404, extraHeaders);
  }
  let keepOpen = false;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return statusResponse(404, extraHeaders);
    const size = stat.size;
    const headers: Record<string, string> = {
      ...extraHeaders,
      'Accept-Ranges': 'bytes',
      'Content-Type': contentTypeFor(realPath),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    };
    const range = parseRange(request.headers.get('range'), size);
    if (range === 'invalid') {
      return statusResponse(416, { ...headers, 'Content-Range': `bytes */${size}` });
    }
    const start = range?.start ?? 0;
    const length = range ? range.end - range.start + 1 : size;
    headers['Content-Length'] = String(length);
    if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
    const status = range ? 206 : 200;
    if (request.method === 'HEAD') return statusResponse(status, headers);
    keepOpen = true;
    return new Response(fileStream(handle, start, length), { status, headers });
  } finally {
    if (!keepOpen) await handle.close();
  }
}
