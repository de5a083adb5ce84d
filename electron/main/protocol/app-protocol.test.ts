import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppProtocolHandler } from './app-protocol.ts';

const CSP = "default-src 'self'";
let base: string;
let handler: ReturnType<typeof createAppProtocolHandler>;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'probescope-app-'));
  const dist = path.join(base, 'renderer');
  await mkdir(path.join(dist, 'assets'), { recursive: true });
  await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>Probescope</title>');
  await writeFile(path.join(dist, 'assets', 'main.js'), 'console.log(1)');
  await writeFile(path.join(base, 'secret.txt'), 'secret');
  await symlink(path.join(base, 'secret.txt'), path.join(dist, 'link.txt'));
  handler = createAppProtocolHandler(dist, CSP);
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

const get = (url: string, method = 'GET') => handler(new Request(url, { method }));
/** Status of a response whose body is not needed; cancelling the body closes the file. */
async function status(res: Promise<Response>): Promise<number> {
  const r = await res;
  await r.body?.cancel();
  return r.status;
}

describe('app protocol', () => {
  it('serves index.html for the root with the CSP and hardening headers', async () => {
    for (const url of ['probescope-app://app/', 'probescope-app://app/index.html']) {
      const res = await get(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toBe(CSP);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(await res.text()).toContain('<title>Probescope</title>');
    }
  });

  it('serves scripts as JavaScript', async () => {
    const res = await get('probescope-app://app/assets/main.js');
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await res.text()).toBe('console.log(1)');
  });

  it('stays inside the renderer folder', async () => {
    expect(await status(handler({ url: 'probescope-app://app/../secret.txt', method: 'GET', headers: new Headers() }))).not.toBe(200);
    expect(await status(get('probescope-app://app/%2e%2e/secret.txt'))).not.toBe(200);
    expect(await status(get('probescope-app://app/link.txt'))).toBe(403);
    expect(await status(get('probescope-app://other/index.html'))).toBe(404);
    expect(await status(get('probescope-app://app/index.html', 'POST'))).toBe(405);
  });

  it('answers 404 (with CSP) when the renderer has not been built', async () => {
    const missing = createAppProtocolHandler(path.join(base, 'nope'), CSP);
    const res = await missing(new Request('probescope-app://app/'));
    expect(res.status).toBe(404);
    expect(res.headers.get('content-security-policy')).toBe(CSP);
  });
});
