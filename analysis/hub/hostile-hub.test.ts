/** Issue #11, findings 7 and 9: a hostile or stalled Hub endpoint ends in one message, within bounds. */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeHub } from '../../test/fake-hub-server.ts';
import { downloadFile } from './download-file.ts';
import { downloadModel } from './download.ts';
import type { DownloadProgress } from './download.ts';
import type { FetchLike } from './http.ts';
import { HubError } from './repo.ts';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'probescope-hostile-hub-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const CONFIG = { name: 'config.json', size: 600, sha256: null, gitBlobId: 'a'.repeat(40) };

function fileOptions(fetch: FetchLike, extra: Record<string, unknown> = {}) {
  return { endpoint: new URL('https://hub.invalid'), repo: 'evil/model', commit: 'c'.repeat(40), file: CONFIG, dir: tmp, fetch, ...extra };
}

describe('a hostile body', () => {
  it('streaming without end for a 600-byte config.json is cut at the declared size and its .part deleted', async () => {
    let pulled = 0;
    const endless: FetchLike = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            pulled += 64 * 1024;
            controller.enqueue(new Uint8Array(64 * 1024));
          },
        }),
        { status: 200 },
      );
    await expect(downloadFile(fileOptions(endless))).rejects.toThrow(
      new HubError('config.json of evil/model: the server sent more than the 600 bytes the file has; stopped and deleted the partial file'),
    );
    expect(pulled).toBeLessThanOrEqual(4 * 64 * 1024); // stopped at once, not 64 MiB later
    expect(existsSync(path.join(tmp, 'config.json.part'))).toBe(false);
    expect(existsSync(path.join(tmp, 'config.json'))).toBe(false);
  });

  it('a body that stalls is dropped after the stall timeout and resumable (.part kept)', async () => {
    const stalls: FetchLike = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new Uint8Array(100));
          },
          pull() {
            return new Promise(() => {}); // never more
          },
        }),
        { status: 200 },
      );
    await expect(downloadFile(fileOptions(stalls, { stallTimeoutMs: 100, retries: 1 }))).rejects.toThrow(
      /^config\.json of evil\/model: the connection dropped after 100 of 600 bytes, 2 times; run the download again to resume/,
    );
    expect(readFileSync(path.join(tmp, 'config.json.part')).length).toBe(100);
  });

  it('a server that never answers is one message after the stall timeout', async () => {
    const silent: FetchLike = (_url, init) =>
      new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    await expect(downloadFile(fileOptions(silent, { stallTimeoutMs: 100 }))).rejects.toThrow(
      new HubError('config.json of evil/model: the server sent no answer for 0.1 s'),
    );
  });
});

describe('index and progress', () => {
  it('a model.safetensors.index.json that is not JSON is a message naming it', async () => {
    const text = (s: string) => new TextEncoder().encode(s);
    const hub = await startFakeHub({ 'evil/sharded': { files: { 'config.json': text('{}'), 'model.safetensors.index.json': text('<html>rate limited</html>') } } });
    try {
      await expect(downloadModel({ repo: 'evil/sharded', endpoint: hub.endpoint, dir: tmp })).rejects.toThrow(
        /^model\.safetensors\.index\.json of evil\/sharded is not valid JSON \(.*\); cannot tell which shards hold the weights$/,
      );
    } finally {
      await hub.close();
    }
  });

  it('progress never reports more bytes than its total, even when the file list has no sizes', async () => {
    const files = Object.fromEntries(
      ['config.json', 'tokenizer.json', 'model.safetensors'].map((n) => [n, readFileSync(path.join('test/fixtures/stories260K-hf', n))]),
    );
    const hub = await startFakeHub({ 'karpathy/stories260K': { files } }, { bareFileList: true });
    const events: DownloadProgress[] = [];
    try {
      await downloadModel({ repo: 'karpathy/stories260K', endpoint: hub.endpoint, dir: tmp, onProgress: (p) => events.push(p) });
    } finally {
      await hub.close();
    }
    expect(events.length).toBeGreaterThan(0);
    expect(events.filter((p) => p.bytes > p.total)).toEqual([]);
  });
});

describe('the file list', () => {
  it('an endless answer from the API is refused past 32 MiB, not parsed', async () => {
    let pulled = 0;
    const endless: FetchLike = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            pulled += 1024 * 1024;
            controller.enqueue(new Uint8Array(1024 * 1024).fill(0x20));
          },
        }),
        { status: 200 },
      );
    await expect(downloadModel({ repo: 'evil/model', endpoint: 'https://hub.invalid', dir: tmp, fetch: endless })).rejects.toThrow(
      /^file list of evil\/model@main: the Hub's answer is longer than 33554432 bytes; not a file list$/,
    );
    expect(pulled).toBeLessThan(40 * 1024 * 1024);
  });
});
