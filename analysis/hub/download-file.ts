/**
 * One file from the Hub into the model folder, resumable and verified:
 *   - bytes go to `<name>.part`; an existing .part is continued with `Range: bytes=<size>-`
 *     (a 200 answer instead of 206 means the server ignored the range: start over);
 *   - a dropped connection is resumed the same way, up to `retries` times in one run, and the
 *     .part file stays for the next run after that;
 *   - the content hash (checksum.ts) covers the .part's earlier bytes and the new ones; only a
 *     file whose hash matches the Hub's is renamed into place, and a mismatching one is deleted
 *     (resuming corrupt bytes would only fail again).
 * Downloads are pinned to a commit, so the bytes of a .part and of its continuation always come
 * from the same version of the file.
 */
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import type { Hash } from 'node:crypto';
import path from 'node:path';
import { createHasher, expectedHash } from './checksum.ts';
import type { ExpectedHash } from './checksum.ts';
import { hubGet } from './http.ts';
import type { FetchLike } from './http.ts';
import type { HubFile } from './repo-info.ts';
import { fileUrl, HubChecksumError, HubError } from './repo.ts';

export interface FileDownloadOptions {
  readonly endpoint: URL;
  readonly repo: string;
  readonly commit: string;
  readonly file: HubFile;
  readonly dir: string;
  readonly token?: string;
  readonly signal?: AbortSignal;
  readonly fetch?: FetchLike;
  /** Resumes after a dropped connection within this call; default 3. */
  readonly retries?: number;
  /** Bytes of this file on disk so far, and its size when known. */
  readonly onBytes?: (done: number, total: number | null) => void;
  /**
   * A connection that delivers nothing (no headers, or no body bytes) for this long counts as
   * dropped: it is resumed like one, and the download ends with a message after `retries`.
   * Default 60 s.
   */
  readonly stallTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface DownloadedFile {
  readonly name: string;
  readonly size: number;
  readonly hash: ExpectedHash;
  /** False when a verified copy was already there. */
  readonly downloaded: boolean;
}

async function sizeOf(file: string): Promise<number | null> {
  try {
    return (await stat(file)).size;
  } catch {
    return null;
  }
}

async function hashFile(file: string, hasher: Hash): Promise<void> {
  for await (const chunk of createReadStream(file)) hasher.update(chunk as Buffer);
}

async function matches(file: string, expected: ExpectedHash, size: number): Promise<boolean> {
  const hasher = createHasher(expected, size);
  await hashFile(file, hasher);
  return hasher.digest('hex') === expected.hex;
}

/** `bytes a-b/total` → a and total (total may be "*"). */
function parseContentRange(value: string | null): { start: number; total: number | null } | null {
  const m = value?.match(/^bytes (\d+)-(\d+)\/(\d+|\*)$/);
  return m ? { start: Number(m[1]), total: m[3] === '*' ? null : Number(m[3]) } : null;
}

class Interrupted extends Error {}

export const DEFAULT_STALL_TIMEOUT_MS = 60_000;

/**
 * Resolves as `work` does, or rejects with `onStall()`'s error when `work` takes longer than `ms`
 * (after calling `cancel`, which releases the connection).
 */
async function withinStallTimeout<T>(work: Promise<T>, ms: number, cancel: () => void, onStall: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cancel();
      reject(onStall());
    }, ms);
  });
  try {
    return await Promise.race([work, stalled]);
  } finally {
    clearTimeout(timer);
  }
}

export async function downloadFile(options: FileDownloadOptions): Promise<DownloadedFile> {
  const { file, dir } = options;
  const target = path.join(dir, file.name);
  const part = `${target}.part`;
  const retries = options.retries ?? 3;
  const stallMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  const what = `${file.name} of ${options.repo}`;

  // Already there and intact (a re-run, or a model downloaded before): nothing to fetch.
  const existing = await sizeOf(target);
  if (existing !== null && (file.sha256 || file.gitBlobId) && (file.size === null || file.size === existing)) {
    const hash = expectedHash(file);
    if (await matches(target, hash, existing)) {
      options.onBytes?.(existing, existing);
      return { name: file.name, size: existing, hash, downloaded: false };
    }
  }

  for (let attempt = 0; ; attempt++) {
    let offset = (await sizeOf(part)) ?? 0;
    if (file.size !== null && offset > file.size) {
      await rm(part, { force: true });
      offset = 0;
    }
    let response: Response | null = null;
    let hubHeaders: Headers | undefined;
    // Aborted on a stall (releasing the socket) as well as by the caller's signal.
    const connection = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, connection.signal]) : connection.signal;
    try {
      ({ response, hubHeaders } = await withinStallTimeout(
        hubGet({
          url: fileUrl(options.endpoint, options.repo, options.commit, file.name),
          token: options.token,
          signal,
          fetch: options.fetch,
          what,
          headers: offset > 0 ? { Range: `bytes=${offset}-` } : {},
        }),
        stallMs,
        () => connection.abort(),
        () => new HubError(`${what}: the server sent no answer for ${stallMs / 1000} s`),
      ));
    } catch (e) {
      // 416 for "bytes=<size>-": the .part already holds the whole file; verify it below.
      if (!(e instanceof HubError && e.status === 416 && offset > 0)) throw e;
    }

    const range = response?.status === 206 ? parseContentRange(response.headers.get('content-range')) : null;
    if (response !== null && offset > 0 && (range === null || range.start !== offset)) {
      // The server sent the whole file (200) or a range we did not ask for: start again from 0.
      offset = 0;
    }
    const declared = range?.total ?? (response && response.status === 200 ? Number(response.headers.get('content-length') ?? NaN) : NaN);
    const total = file.size ?? (Number.isFinite(declared) ? declared : offset);
    const hash = expectedHash(file, hubHeaders);
    const hasher = createHasher(hash, total);
    if (offset > 0) await hashFile(part, hasher);

    let done = offset;
    if (response !== null) {
      try {
        done = await appendBody(response, part, offset, { total, stallMs, cancel: () => connection.abort() }, hasher, (n) => options.onBytes?.(n, total));
        // A body that ends early without an error (no Content-Length) is an interruption too.
        if (done < total) throw new Interrupted(String(done));
      } catch (e) {
        if (e instanceof Overflow) {
          await rm(part, { force: true });
          throw new HubError(`${what}: the server sent more than the ${total} bytes the file has; stopped and deleted the partial file`);
        }
        if (!(e instanceof Interrupted)) throw e;
        if (options.signal?.aborted) throw new HubError(`${what}: cancelled; the partial file ${file.name}.part is kept for the next run`);
        if (attempt >= retries) {
          throw new HubError(
            `${what}: the connection dropped after ${e.message} of ${total} bytes, ${retries + 1} times; ` +
              `run the download again to resume (the partial file ${file.name}.part is kept)`,
          );
        }
        options.log?.(`${file.name}: connection dropped at ${e.message} of ${total} bytes; resuming (attempt ${attempt + 2} of ${retries + 1})`);
        continue;
      }
    }
    if (done !== total) throw new HubError(`${what}: received ${done} bytes, expected ${total}`);
    const digest = hasher.digest('hex');
    if (digest !== hash.hex) {
      await rm(part, { force: true });
      const kind = hash.kind === 'sha256' ? 'SHA-256' : 'git blob SHA-1';
      throw new HubChecksumError(`${what}: the ${kind} of the downloaded bytes is ${digest}, but the Hub published ${hash.hex}: the download is corrupt and was deleted`);
    }
    await rename(part, target);
    return { name: file.name, size: total, hash, downloaded: true };
  }
}

/** The body went past the file's size: a broken or hostile server. */
class Overflow extends Error {}

interface BodyLimits {
  /** The file's size: not a byte is written past it. */
  readonly total: number;
  readonly stallMs: number;
  /** Drops the connection (after a stall or an overflow). */
  readonly cancel: () => void;
}

/**
 * Streams the body onto the .part file; throws Interrupted (message: bytes on disk) if the
 * stream breaks or stalls, and Overflow (before writing them) for bytes past `limits.total`.
 */
async function appendBody(response: Response, part: string, offset: number, limits: BodyLimits, hasher: Hash, onBytes: (done: number) => void): Promise<number> {
  const handle = await open(part, offset > 0 ? 'a' : 'w');
  let done = offset;
  try {
    if (response.body === null) return done;
    const reader = response.body.getReader();
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await withinStallTimeout(reader.read(), limits.stallMs, limits.cancel, () => new Interrupted(String(done)));
      } catch {
        throw new Interrupted(String(done));
      }
      if (chunk.done) break;
      if (done + chunk.value.length > limits.total) {
        limits.cancel();
        throw new Overflow();
      }
      await handle.write(chunk.value);
      hasher.update(chunk.value);
      done += chunk.value.length;
      onBytes(done);
    }
    return done;
  } finally {
    // The bytes written so far are on disk whatever happened: that is what a resume continues.
    await handle.close();
  }
}
