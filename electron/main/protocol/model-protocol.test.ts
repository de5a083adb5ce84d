import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInside, parseRange, resolveInside, splitUrlPath } from './files.ts';
import type { ProtocolRequest } from './files.ts';
import { FolderRegistry, createModelProtocolHandler, modelFileUrl } from './model-protocol.ts';

const APP = 'probescope-app://app';
const BYTES = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);

/** A request as Electron hands it over; raw URL strings are kept unnormalised on purpose. */
function req(url: string, init: { method?: string; range?: string; origin?: string | null } = {}): ProtocolRequest {
  const headers = new Map<string, string>();
  if (init.range !== undefined) headers.set('range', init.range);
  const origin = init.origin === undefined ? APP : init.origin;
  if (origin !== null) headers.set('origin', origin);
  return { url, method: init.method ?? 'GET', headers: { get: (name) => headers.get(name.toLowerCase()) ?? null } };
}

async function body(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}

/** Status of a response whose body is not needed; cancelling the body closes the file. */
async function status(res: Response | Promise<Response>): Promise<number> {
  const r = await res;
  await r.body?.cancel();
  return r.status;
}

let base: string;
let root: string;
let registry: FolderRegistry;
let handler: (r: ProtocolRequest) => Promise<Response>;
let id: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'probescope-protocol-'));
  root = path.join(base, 'models', 'tiny');
  const outside = path.join(base, 'secret');
  await mkdir(path.join(root, 'sub'), { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(path.join(root, 'model.safetensors'), BYTES);
  await writeFile(path.join(root, 'config.json'), '{"model_type":"llama"}');
  await writeFile(path.join(root, 'sub', 'nested name.safetensors'), '[1]');
  await writeFile(path.join(root, 'empty.safetensors'), new Uint8Array(0));
  await writeFile(path.join(outside, 'secret.safetensors'), 'top secret');
  await writeFile(path.join(base, 'models', 'sibling.safetensors'), 'sibling');
  // Symlinks: one escaping the folder (file and directory), one staying inside.
  await symlink(path.join(outside, 'secret.safetensors'), path.join(root, 'escape.safetensors'));
  await symlink(outside, path.join(root, 'escape-dir'));
  await symlink(path.join(root, 'config.json'), path.join(root, 'alias.safetensors'));
  registry = new FolderRegistry();
  ({ folderId: id } = await registry.add(root));
  handler = createModelProtocolHandler(registry, { allowedOrigins: [APP] });
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('FolderRegistry', () => {
  it('gives opaque host-safe ids and reuses them for the same real folder', async () => {
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const again = await registry.add(path.join(root, 'sub', '..'));
    expect(again).toEqual({ folderId: id, name: 'tiny' });
  });

  it('refuses files, missing folders and malformed ids', async () => {
    await expect(registry.add(path.join(root, 'config.json'))).rejects.toThrow(/not a folder/);
    await expect(registry.add(path.join(base, 'nope'))).rejects.toThrow();
    await expect(registry.add(path.join(root, 'sub'), { folderId: 'Bad/Id' })).rejects.toThrow(/invalid folder id/);
  });

  it('revokes access on remove', async () => {
    const r = new FolderRegistry();
    const { folderId } = await r.add(root, { folderId: 'temp' });
    const h = createModelProtocolHandler(r, { allowedOrigins: [APP] });
    expect(await status(h(req(`probescope-model://temp/config.json`)))).toBe(200);
    expect(r.remove(folderId)).toBe(true);
    expect(await status(h(req(`probescope-model://temp/config.json`)))).toBe(404);
  });
});

describe('model protocol: confinement', () => {
  it('serves a file inside the folder with CORS for the app origin', async () => {
    const res = await handler(req(modelFileUrl(id, 'config.json')));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(new TextDecoder().decode(await body(res))).toBe('{"model_type":"llama"}');
  });

  it('serves nested and percent-encoded names', async () => {
    const url = modelFileUrl(id, 'sub/nested name.safetensors');
    expect(url).toBe(`probescope-model://${id}/sub/nested%20name.safetensors`);
    const res = await handler(req(url));
    expect(res.status).toBe(200);
    expect(new TextDecoder().decode(await body(res))).toBe('[1]');
  });

  it('follows symlinks that stay inside the folder', async () => {
    expect(await status(handler(req(`probescope-model://${id}/alias.safetensors`)))).toBe(200);
  });

  it('rejects symlinks that escape the folder (file and directory)', async () => {
    expect(await status(handler(req(`probescope-model://${id}/escape.safetensors`)))).toBe(403);
    expect(await status(handler(req(`probescope-model://${id}/escape-dir/secret.safetensors`)))).toBe(403);
  });

  it.each([
    ['literal ..', '/../sibling.safetensors'],
    ['nested ..', '/sub/../../sibling.safetensors'],
    ['encoded dots', '/%2e%2e/sibling.safetensors'],
    ['mixed-case encoded dots', '/%2E%2e/sibling.safetensors'],
    ['encoded slash', '/..%2fsibling.safetensors'],
    ['encoded slash inside name', '/sub%2F..%2F..%2Fsibling.safetensors'],
    ['encoded backslash', '/..%5csibling.safetensors'],
    ['double-encoded', '/%252e%252e/sibling.safetensors'],
    ['NUL byte', '/config.json%00.txt'],
    ['absolute path in segment', '/%2Fetc%2Fpasswd'],
    ['drive letter', '/C:%5CWindows'],
    ['dot segment', '/./config.json'],
    ['empty segment', '//config.json'],
    ['bad escape', '/%E0%A4%A'],
    ['folder root', '/'],
    ['no path', ''],
  ])('rejects traversal attempt: %s', async (_name, rawPath) => {
    expect([400, 403, 404]).toContain(await status(handler(req(`probescope-model://${id}${rawPath}`))));
  });

  it('does not serve directories or missing files', async () => {
    expect(await status(handler(req(`probescope-model://${id}/sub`)))).toBe(404);
    expect(await status(handler(req(`probescope-model://${id}/missing.json`)))).toBe(404);
  });

  it('answers 404 for folders that were never opened', async () => {
    expect(await status(handler(req('probescope-model://00000000-0000-0000-0000-000000000000/config.json')))).toBe(404);
    expect(await status(handler(req(`probescope-model:///config.json`)))).toBe(404);
  });

  it('refuses other origins, other methods and other schemes', async () => {
    expect(await status(handler(req(modelFileUrl(id, 'config.json'), { origin: 'https://evil.example' })))).toBe(403);
    expect(await status(handler(req(modelFileUrl(id, 'config.json'), { origin: 'null' })))).toBe(403);
    expect(await status(handler(req(modelFileUrl(id, 'config.json'), { method: 'PUT' })))).toBe(405);
    expect(await status(handler(req(`file://${root}/config.json`)))).toBe(400);
  });

  it('answers CORS preflight for the app origin', async () => {
    const res = await handler(req(modelFileUrl(id, 'model.safetensors'), { method: 'OPTIONS' }));
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-headers')).toBe('Range');
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
  });

  it('serves requests without an Origin header (no CORS headers)', async () => {
    const res = await handler(req(modelFileUrl(id, 'config.json'), { origin: null }));
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(await status(res)).toBe(200);
  });

  it('works with a real fetch Request object', async () => {
    expect(await status(handler(new Request(modelFileUrl(id, 'config.json'))))).toBe(200);
  });
});

describe('model protocol: ranges', () => {
  const url = () => modelFileUrl(id, 'model.safetensors');

  it('serves the whole file with Accept-Ranges', async () => {
    const res = await handler(req(url()));
    expect(res.status).toBe(200);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-length')).toBe('1000');
    expect(await body(res)).toEqual(BYTES);
  });

  it.each([
    ['bytes=0-0', 0, 0],
    ['bytes=10-19', 10, 19],
    ['bytes=990-', 990, 999],
    ['bytes=-8', 992, 999],
    ['bytes=-5000', 0, 999],
    ['bytes=500-99999', 500, 999],
    ['bytes=999-999', 999, 999],
  ])('%s -> 206 with bytes %i-%i', async (range, start, end) => {
    const res = await handler(req(url(), { range }));
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/1000`);
    expect(res.headers.get('content-length')).toBe(String(end - start + 1));
    expect(res.headers.get('access-control-expose-headers')).toContain('Content-Range');
    expect(await body(res)).toEqual(BYTES.subarray(start, end + 1));
  });

  it.each(['bytes=1000-', 'bytes=5000-6000', 'bytes=20-10', 'bytes=-0', 'bytes=-', 'bytes=0-1,5-6', 'items=0-1', 'bytes=a-b', 'bytes=1.5-2'])(
    '%s -> 416',
    async (range) => {
      const res = await handler(req(url(), { range }));
      expect(res.status).toBe(416);
      expect(res.headers.get('content-range')).toBe('bytes */1000');
      expect(res.body).toBeNull();
    },
  );

  it('any range on an empty file is unsatisfiable', async () => {
    expect(await status(handler(req(modelFileUrl(id, 'empty.safetensors'), { range: 'bytes=0-' })))).toBe(416);
    const whole = await handler(req(modelFileUrl(id, 'empty.safetensors')));
    expect(whole.status).toBe(200);
    expect((await body(whole)).length).toBe(0);
  });

  it('HEAD reports size without a body', async () => {
    const res = await handler(req(url(), { method: 'HEAD', range: 'bytes=0-99' }));
    expect(res.status).toBe(206);
    expect(res.headers.get('content-length')).toBe('100');
    expect(res.body).toBeNull();
  });

  it('streams files larger than one chunk, and cancelling releases the file', async () => {
    const big = path.join(root, 'big.safetensors');
    const data = Buffer.alloc((1 << 20) * 2 + 123);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) % 256;
    await writeFile(big, data);
    const res = await handler(req(modelFileUrl(id, 'big.safetensors'), { range: `bytes=5-${data.length - 1}` }));
    // Buffer.equals: a deep toEqual over millions of elements is needlessly slow.
    expect(Buffer.from(await body(res)).equals(data.subarray(5))).toBe(true);
    const openFds = async () => (process.platform === 'linux' ? (await readdir('/proc/self/fd')).length : 0);
    const before = await openFds();
    const partial = await handler(req(modelFileUrl(id, 'big.safetensors')));
    const reader = partial.body?.getReader();
    const first = await reader?.read();
    expect(first?.value?.length).toBe(1 << 20);
    expect(await openFds()).toBe(before + (process.platform === 'linux' ? 1 : 0));
    await reader?.cancel();
    expect(await openFds()).toBe(before);
  });
});

describe('helpers', () => {
  it('splitUrlPath decodes plain segments and refuses ambiguous ones', () => {
    expect(splitUrlPath('/a/b%20c.json')).toEqual(['a', 'b c.json']);
    expect(splitUrlPath('/a/%2e%2e')).toBeNull();
    expect(splitUrlPath('/a\\b')).toBeNull();
  });

  it('resolveInside refuses escapes even if handed raw segments', async () => {
    const realRoot = registry.get(id)?.realRoot ?? '';
    expect(await resolveInside(realRoot, ['..', 'sibling.safetensors'])).toEqual({ ok: false, status: 403 });
    expect(await resolveInside(realRoot, ['sub', '..', '..', '..', 'secret', 'secret.safetensors'])).toEqual({ ok: false, status: 403 });
    expect(isInside('/a/b', '/a/bc')).toBe(false);
    expect(isInside('/a/b', '/a/b/..c')).toBe(true);
  });

  it('parseRange without a header serves everything', () => {
    expect(parseRange(null, 10)).toBeNull();
    expect(parseRange('bytes=2-4', 10)).toEqual({ start: 2, end: 4 });
  });
});

describe('model protocol: only model files (issue #11)', () => {
  it('answers 404 for files a model does not need, even inside the opened folder', async () => {
    await writeFile(path.join(root, 'notes.txt'), 'private notes');
    await writeFile(path.join(root, 'sub', 'id_rsa'), 'key');
    await writeFile(path.join(root, 'config.json.bak'), '{}');
    for (const name of ['notes.txt', 'sub/id_rsa', 'config.json.bak', '.safetensors']) {
      expect(await status(handler(req(modelFileUrl(id, name))))).toBe(404);
    }
    for (const name of ['config.json', 'model.safetensors']) expect(await status(handler(req(modelFileUrl(id, name))))).toBe(200);
  });

  it('refuses a FIFO named like a model file without blocking', async () => {
    execFileSync('mkfifo', [path.join(root, 'fifo.safetensors')]);
    expect(await status(handler(req(modelFileUrl(id, 'fifo.safetensors'))))).toBe(404);
  });
});
