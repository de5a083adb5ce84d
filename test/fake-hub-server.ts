/**
 * A local stand-in for the Hugging Face Hub, for tests (the real Hub is unreachable here). Two
 * HTTP servers on 127.0.0.1 reproduce the Hub's layout and behaviour:
 *   hub  /api/models/{repo}/revision/{rev}   {id, sha, siblings: [{rfilename, size, blobId, lfs?}]}
 *        /{repo}/resolve/{rev}/{file}        regular files directly (ETag: git blob id);
 *                                            LFS files: 302 to the CDN, with X-Linked-Etag (sha256),
 *                                            X-Linked-Size and X-Repo-Commit, as the Hub does
 *   cdn  /cdn/{sha256}                        the LFS content (another origin: no token may reach it)
 * Both honour single `Range: bytes=a-[b]` requests. Faults for tests: drop the connection after
 * N bytes of a file (once or always), serve a file with one byte flipped, ignore Range headers,
 * require a bearer token (gated repo). Every request is recorded with its headers.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRepo {
  readonly files: Readonly<Record<string, Uint8Array>>;
  /** Files stored in LFS (served through the CDN with a sha256); default: *.safetensors. */
  readonly lfs?: (name: string) => boolean;
  /** A gated/private repo: every request needs `Authorization: Bearer <token>`. */
  readonly token?: string;
}

export interface Faults {
  /** Drop the connection after this many body bytes, on the first request for the file only. */
  dropOnce?: Map<string, number>;
  /** Drop the connection after this many body bytes, on every request for the file. */
  dropAlways?: Map<string, number>;
  /** Serve these files with one byte flipped (the published hashes stay those of the real file). */
  corrupt?: Set<string>;
  /** Answer Range requests with the whole file (200), as some proxies do. */
  ignoreRange?: boolean;
  /** List files without sizes and hashes (as without ?blobs=true): checksums come from the headers. */
  bareFileList?: boolean;
}

export interface RecordedRequest {
  readonly server: 'hub' | 'cdn';
  readonly url: string;
  readonly range: string | null;
  readonly authorization: string | null;
}

export interface FakeHub {
  readonly endpoint: string;
  readonly requests: RecordedRequest[];
  readonly faults: Faults;
  readonly commitOf: (repo: string) => string;
  close(): Promise<void>;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function gitBlobId(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startFakeHub(repos: Readonly<Record<string, FakeRepo>>, faults: Faults = {}): Promise<FakeHub> {
  const requests: RecordedRequest[] = [];
  const served = new Map<string, number>();
  const commitOf = (repo: string) => createHash('sha1').update(`commit of ${repo}`).digest('hex');
  const isLfs = (repo: FakeRepo, name: string) => (repo.lfs ?? ((n: string) => n.endsWith('.safetensors')))(name);
  const bySha = new Map<string, { name: string; bytes: Uint8Array }>();
  for (const repo of Object.values(repos)) {
    for (const [name, bytes] of Object.entries(repo.files)) if (isLfs(repo, name)) bySha.set(sha256(bytes), { name, bytes });
  }

  /** Serves `bytes` with Range support and the configured faults. */
  const serveFile = (req: IncomingMessage, res: ServerResponse, name: string, original: Uint8Array, headers: Record<string, string>) => {
    let bytes = original;
    if (faults.corrupt?.has(name)) {
      bytes = original.slice();
      bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    }
    const count = (served.get(name) ?? 0) + 1;
    served.set(name, count);
    let start = 0;
    let end = bytes.length;
    let status = 200;
    const range = req.headers.range?.match(/^bytes=(\d+)-(\d*)$/);
    if (range && !faults.ignoreRange) {
      start = Number(range[1]);
      end = range[2] ? Number(range[2]) + 1 : bytes.length;
      if (start >= bytes.length || end > bytes.length || end <= start) {
        res.writeHead(416, { 'Content-Range': `bytes */${bytes.length}` });
        res.end();
        return;
      }
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end - 1}/${bytes.length}`;
    }
    res.writeHead(status, { ...headers, 'Accept-Ranges': 'bytes', 'Content-Length': String(end - start), 'Content-Type': 'application/octet-stream' });
    const drop = faults.dropAlways?.get(name) ?? (count === 1 ? faults.dropOnce?.get(name) : undefined);
    if (drop !== undefined && drop < end - start) {
      // Send part of the body, make sure it left, then cut the connection mid-file.
      res.write(bytes.subarray(start, start + drop), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(bytes.subarray(start, end));
  };

  let cdnBase = '';
  const cdn = createServer((req, res) => {
    requests.push({ server: 'cdn', url: req.url ?? '', range: req.headers.range ?? null, authorization: req.headers.authorization ?? null });
    const m = req.url?.match(/^\/cdn\/([0-9a-f]{64})\?/);
    const file = m ? bySha.get(m[1]) : undefined;
    if (!file) return sendJson(res, 404, { error: 'no such object' });
    serveFile(req, res, file.name, file.bytes, { ETag: `"${m![1]}"` });
  });

  const hub = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://hub');
    requests.push({ server: 'hub', url: req.url ?? '', range: req.headers.range ?? null, authorization: req.headers.authorization ?? null });
    const api = url.pathname.match(/^\/api\/models\/(.+)\/revision\/([^/]+)$/);
    const resolve = url.pathname.match(/^\/(.+)\/resolve\/([^/]+)\/([^/]+)$/);
    const repoId = api?.[1] ?? resolve?.[1];
    const repo = repoId === undefined ? undefined : repos[repoId];
    if (!repo || !repoId) return sendJson(res, 404, { error: 'Repository not found' });
    if (repo.token !== undefined && req.headers.authorization !== `Bearer ${repo.token}`) {
      const message = req.headers.authorization
        ? 'Invalid credentials in Authorization header'
        : `Access to model ${repoId} is restricted. You must have access to it and be authenticated to access it. Please log in.`;
      return sendJson(res, 401, { error: message });
    }
    const revision = decodeURIComponent((api ?? resolve)![2]);
    if (revision !== 'main' && revision !== commitOf(repoId)) return sendJson(res, 404, { error: `Revision Not Found for url ${req.url}` });
    if (api) {
      const siblings = Object.entries(repo.files).map(([name, bytes]) => faults.bareFileList ? { rfilename: name } : ({
        rfilename: name,
        size: bytes.length,
        blobId: gitBlobId(isLfs(repo, name) ? new TextEncoder().encode(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(bytes)}\nsize ${bytes.length}\n`) : bytes),
        ...(isLfs(repo, name) ? { lfs: { sha256: sha256(bytes), size: bytes.length, pointerSize: 134 } } : {}),
      }));
      return sendJson(res, 200, { _id: 'x', id: repoId, sha: commitOf(repoId), private: repo.token !== undefined, tags: ['llama'], siblings });
    }
    const name = decodeURIComponent(resolve![3]);
    const bytes = repo.files[name];
    if (!bytes) return sendJson(res, 404, { error: 'Entry not found' });
    const common = { 'X-Repo-Commit': commitOf(repoId) };
    if (isLfs(repo, name)) {
      const sha = sha256(bytes);
      res.writeHead(302, { ...common, Location: `${cdnBase}/cdn/${sha}?X-Signature=fake-signed-url`, 'X-Linked-Etag': `"${sha}"`, 'X-Linked-Size': String(bytes.length) });
      return res.end();
    }
    serveFile(req, res, name, bytes, { ...common, ETag: `"${gitBlobId(bytes)}"` });
  });

  cdnBase = await listen(cdn);
  const endpoint = await listen(hub);
  return {
    endpoint,
    requests,
    faults,
    commitOf,
    close: async () => {
      for (const server of [hub, cdn]) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}
