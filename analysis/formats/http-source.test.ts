import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpSource } from './http-source.ts';
import { loadHostModel } from '../model/load.ts';
import { NodeFolderSource } from './node-source.ts';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));

/**
 * Serves test/fixtures on 127.0.0.1 with single-range support, like a static file server.
 * Paths under /norange/ ignore Range (answer 200 with the whole file). Records every request.
 */
let server: Server;
let base: string;
const requests: Array<{ path: string; range: string | undefined }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      requests.push({ path: url.pathname, range: req.headers.range });
      const ignoreRange = url.pathname.startsWith('/norange/');
      const rel = decodeURIComponent(url.pathname.replace(/^\/(norange\/)?/, ''));
      if (rel.split('/').includes('..')) return void res.writeHead(403).end();
      const path = FIXTURES + rel;
      const info = await stat(path).catch(() => null);
      if (info === null || !info.isFile()) return void res.writeHead(404).end('not found');
      const data = await readFile(path);
      const match = /^bytes=(\d+)-(\d+)?$/.exec(req.headers.range ?? '');
      if (ignoreRange || match === null) {
        return void res.writeHead(200, { 'content-length': data.length }).end(data);
      }
      const start = Number(match[1]);
      const end = Math.min(match[2] === undefined ? data.length - 1 : Number(match[2]), data.length - 1);
      if (start >= data.length) {
        return void res.writeHead(416, { 'content-range': `bytes */${data.length}` }).end();
      }
      res
        .writeHead(206, { 'content-range': `bytes ${start}-${end}/${data.length}`, 'content-length': end - start + 1 })
        .end(data.subarray(start, end + 1));
    })();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise<void>((done) => server.close(() => done()));
});

beforeEach(() => {
  requests.length = 0;
});

describe('HttpSource', () => {
  it('resolves files inside the base folder, with or without a trailing slash', async () => {
    const a = new HttpSource(`${base}stories260K-hf`);
    const b = new HttpSource(`${base}stories260K-hf/`, { label: 'builtin:stories260K' });
    expect(a.label).toBe(`${base}stories260K-hf/`);
    expect(b.label).toBe('builtin:stories260K');
    expect(await a.has('config.json')).toBe(true);
    expect(await b.has('config.json')).toBe(true);
    expect(requests.map((r) => r.path)).toEqual(['/stories260K-hf/config.json', '/stories260K-hf/config.json']);
  });

  it('reports missing files', async () => {
    const src = new HttpSource(`${base}pythia-tiny/`);
    expect(await src.has('tokenizer.json')).toBe(false);
    await expect(src.size('tokenizer.json')).rejects.toThrow(`${base}pythia-tiny/: tokenizer.json not found (HTTP 404)`);
  });

  it('gets sizes from a 1-byte range request and reads exact ranges', async () => {
    const src = new HttpSource(`${base}stories260K-hf/`);
    const whole = await readFile(`${FIXTURES}stories260K-hf/model.safetensors`);
    expect(await src.size('model.safetensors')).toBe(whole.length);
    expect(requests.at(-1)?.range).toBe('bytes=0-0');
    const bytes = await src.read('model.safetensors', 100, 612);
    expect(bytes).toEqual(new Uint8Array(whole.subarray(100, 612)));
    expect(requests.at(-1)?.range).toBe('bytes=100-611');
    expect((await src.read('model.safetensors', 7, 7)).length).toBe(0);
    await expect(src.read('model.safetensors', 0, whole.length + 1)).rejects.toThrow(/is outside model.safetensors/);
  });

  it('falls back to whole-file bodies when the server ignores Range', async () => {
    const src = new HttpSource(`${base}norange/stories260K-hf/`);
    const whole = await readFile(`${FIXTURES}stories260K-hf/config.json`);
    expect(await src.size('config.json')).toBe(whole.length);
    expect(await src.read('config.json', 2, 10)).toEqual(new Uint8Array(whole.subarray(2, 10)));
    expect(requests.length).toBe(1); // served from the body fetched for the size
  });

  it('loads the stories260K model with range reads only', async () => {
    const model = await loadHostModel(new HttpSource(`${base}stories260K-hf/`));
    const fromDisk = await loadHostModel(new NodeFolderSource(`${FIXTURES}stories260K-hf`));
    expect(model.spec).toEqual(fromDisk.spec);
    expect(model.weights.blocks[3].mlp.wGate?.data).toEqual(fromDisk.weights.blocks[3].mlp.wGate?.data);
    const weightReads = requests.filter((r) => r.path.endsWith('model.safetensors'));
    expect(weightReads.every((r) => r.range !== undefined)).toBe(true);
    const largest = Math.max(...weightReads.map((r) => {
      const [a, b] = r.range!.slice('bytes='.length).split('-').map(Number);
      return b - a + 1;
    }));
    expect(largest).toBe(512 * 64 * 4); // the embedding, the largest tensor
    expect(model.tokenizer?.encode('Once upon a time')).toEqual([1, 403, 407, 261, 378]);
  });
});
