import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NodeFolderSource } from '../formats/node-source.ts';
import { readSafetensorsHeader, SafetensorsCheckpoint } from '../formats/safetensors.ts';
import { frameSafetensors } from '../formats/safetensors-writer.ts';
import { downloadModel } from './download.ts';
import type { DownloadProgress } from './download.ts';
import { DOWNLOAD_RECORD } from './models-dir.ts';
import { HubAuthError, HubChecksumError, HubError } from './repo.ts';
import { startFakeHub } from '../../test/fake-hub-server.ts';
import type { FakeHub, FakeRepo } from '../../test/fake-hub-server.ts';

const STORIES = 'test/fixtures/stories260K-hf';
const LLAMA = 'test/fixtures/llama-tiny';
const TOKEN = 'hf_TESTtokenThatMustNeverLeak0123456789';

function folder(dir: string, names: string[]): Record<string, Uint8Array> {
  return Object.fromEntries(names.map((n) => [n, readFileSync(path.join(dir, n))]));
}

const storiesFiles = folder(STORIES, ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors']);
/** Extra files a real repo has that a download must skip. */
const noise = { 'README.md': new TextEncoder().encode('# model card'), 'pytorch_model.bin': new Uint8Array(64) };

/** llama-tiny's tensors split over two shards plus an index, as save_pretrained(max_shard_size=…) writes. */
async function shardedLlama(): Promise<Record<string, Uint8Array>> {
  const source = new NodeFolderSource(LLAMA);
  const header = await readSafetensorsHeader(source, 'model.safetensors');
  const entries = [...header.tensors.values()];
  const halves = [entries.slice(0, Math.ceil(entries.length / 2)), entries.slice(Math.ceil(entries.length / 2))];
  const files: Record<string, Uint8Array> = { 'config.json': readFileSync(path.join(LLAMA, 'config.json')) };
  const weightMap: Record<string, string> = {};
  for (const [i, half] of halves.entries()) {
    const name = `model-0000${i + 1}-of-00002.safetensors`;
    const shardHeader: Record<string, unknown> = {};
    const parts: Uint8Array[] = [];
    let offset = 0;
    for (const e of half) {
      const bytes = await source.read('model.safetensors', e.start, e.end);
      shardHeader[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + bytes.length] };
      parts.push(bytes);
      offset += bytes.length;
      weightMap[e.name] = name;
    }
    files[name] = frameSafetensors(shardHeader, Buffer.concat(parts));
  }
  files['model.safetensors.index.json'] = new TextEncoder().encode(JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
  return files;
}

let hub: FakeHub;
let tmp: string;
let repos: Record<string, FakeRepo>;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'probescope-hub-'));
  repos = {
    'karpathy/stories260K': { files: { ...storiesFiles, ...noise } },
    'acme/llama-tiny-sharded': { files: await shardedLlama() },
    'acme/gated-llama': { files: folder(LLAMA, ['config.json', 'model.safetensors']), token: TOKEN },
  };
  hub = await startFakeHub(repos);
});
afterEach(async () => {
  await hub.close();
  await rm(tmp, { recursive: true, force: true });
});

/** Byte equality (Buffer.equals: toEqual on megabyte arrays compares element by element, slowly). */
async function sameFiles(dir: string, files: Record<string, Uint8Array>, names: string[]) {
  for (const n of names) expect((await readFile(path.join(dir, n))).equals(files[n]), `${n} differs`).toBe(true);
}

describe('downloadModel', () => {
  it('downloads config, tokenizer and weights into <modelsDir>/<owner>--<name>, verified, with progress', async () => {
    const progress: DownloadProgress[] = [];
    const result = await downloadModel({ repo: 'karpathy/stories260K', endpoint: hub.endpoint, modelsDir: tmp, onProgress: (p) => progress.push(p) });
    expect(result.dir).toBe(path.join(tmp, 'karpathy--stories260K'));
    expect(result.commit).toBe(hub.commitOf('karpathy/stories260K'));
    const names = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors'];
    expect(result.files.map((f) => f.name).sort()).toEqual([...names].sort());
    await sameFiles(result.dir, storiesFiles, names);
    expect((await readdir(result.dir)).sort()).toEqual([...names, DOWNLOAD_RECORD].sort()); // no README, no .bin, no .part
    expect(result.files.find((f) => f.name === 'model.safetensors')?.hash.kind).toBe('sha256');
    expect(result.files.find((f) => f.name === 'config.json')?.hash.kind).toBe('git-blob-sha1');

    // Downloads are pinned to the commit the revision resolved to.
    expect(hub.requests.filter((r) => r.url.includes('/resolve/')).every((r) => r.url.includes(`/resolve/${result.commit}/`))).toBe(true);

    const total = Object.values(storiesFiles).reduce((a, b) => a + b.length, 0);
    expect(progress.at(-1)).toMatchObject({ file: 'model.safetensors', bytes: total, total, filesTotal: 5 });
    for (let i = 1; i < progress.length; i++) expect(progress[i].bytes).toBeGreaterThanOrEqual(progress[i - 1].bytes);

    const record = JSON.parse(await readFile(path.join(result.dir, DOWNLOAD_RECORD), 'utf8'));
    expect(record).toMatchObject({ repo: 'karpathy/stories260K', revision: 'main', commit: result.commit });
    await expect(SafetensorsCheckpoint.open(new NodeFolderSource(result.dir))).resolves.toBeTruthy();
  });

  it('downloads sharded weights through the index; the checkpoint opens with every tensor intact', async () => {
    const files = repos['acme/llama-tiny-sharded'].files;
    const result = await downloadModel({ repo: 'acme/llama-tiny-sharded', endpoint: hub.endpoint, dir: path.join(tmp, 'here') });
    expect(result.dir).toBe(path.join(tmp, 'here'));
    const shards = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
    await sameFiles(result.dir, files, ['config.json', 'model.safetensors.index.json', ...shards]);
    const downloaded = await SafetensorsCheckpoint.open(new NodeFolderSource(result.dir));
    const original = await SafetensorsCheckpoint.open(new NodeFolderSource(LLAMA));
    expect(downloaded.names().sort()).toEqual(original.names().sort());
    for (const name of original.names()) expect((await downloaded.read(name)).data).toEqual((await original.read(name)).data);
  });

  it('resumes a file whose connection drops mid-way, with a Range request, in the same run', async () => {
    hub.faults.dropOnce = new Map([['model.safetensors', 300_000]]);
    const log: string[] = [];
    const result = await downloadModel({ repo: 'karpathy/stories260K', endpoint: hub.endpoint, modelsDir: tmp, log: (l) => log.push(l) });
    await sameFiles(result.dir, storiesFiles, ['model.safetensors']);
    const cdn = hub.requests.filter((r) => r.server === 'cdn');
    expect(cdn).toHaveLength(2);
    expect(cdn[0].range).toBeNull();
    const resumedAt = Number(cdn[1].range?.match(/^bytes=(\d+)-$/)?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(300_000);
    expect(log.some((l) => /model.safetensors: connection dropped at \d+ of 1044992 bytes; resuming \(attempt 2 of 4\)/.test(l))).toBe(true);
  });

  it('keeps the .part when retries run out, and the next run resumes it', async () => {
    hub.faults.dropAlways = new Map([['model.safetensors', 400_000]]);
    const first = downloadModel({ repo: 'karpathy/stories260K', endpoint: hub.endpoint, modelsDir: tmp, retries: 1 });
    await expect(first).rejects.toThrow(HubError);
    await expect(first).rejects.toThrow(/model.safetensors of karpathy\/stories260K: the connection dropped after \d+ of 1044992 bytes, 2 times; run the download again to resume/);
    const part = path.join(tmp, 'karpathy--stories260K', 'model.safetensors.part');
    const partSize = (await stat(part)).size;
    expect(partSize).toBeGreaterThan(400_000); // two attempts' worth of bytes, kept
    expect(existsSync(path.join(tmp, 'karpathy--stories260K', 'model.safetensors'))).toBe(false);

    hub.faults.dropAlways = undefined;
    hub.requests.length = 0;
    const second = await downloadModel({ repo: 'karpathy/stories260K', endpoint: hub.endpoint, modelsDir: tmp });
    await sameFiles(second.dir, storiesFiles, ['model.safetensors']);
    expect(hub.requests.find((r) => r.server === 'cdn')?.range).toBe(`bytes=${partSize}-`);
    expect(existsSync(part)).toBe(false);
    // Files verified on the first run are not fetched again.
    expect(hub.requests.filter((r) => r.url.endsWith('/tokenizer.json'))).toEqual([]);
  });

  it('starts over when a server ignores the Range header', async () => {
    const dir = path.join(tmp, 'm');
    await downloadModel({ repo: 'karpathy/stories260K', endpoint: hub.endpoint, dir }).catch(() => undefined);
    await writeFile(path.join(dir, 'model.safetensors.part'), storiesFiles['model.safetensors'].subarray(0, 1000));
    await rm(path.join(dir, 'model.safetensors'));
    hub.faults.ignoreRange = true;
    await downloadModel({ repo: 'karpathy/stories260K', endpoint: hub.endpoint, dir });
    await sameFiles(dir, storiesFiles, ['model.safetensors']);
  });

  it('resumes a complete .part (416 for the range) without fetching it again', async () => {
    const dir = path.join(tmp, 'm');
    await downloadModel({ repo: 'karpathy/stories260K', endpoint: hub.endpoint, dir });
    await writeFile(path.join(dir, 'model.safetensors.part'), storiesFiles['model.safetensors']);
    await rm(path.join(dir, 'model.safetensors'));
    await downloadModel({ repo: 'karpathy/stories260K', endpoint: hub.endpoint, dir });
    await sameFiles(dir, storiesFiles, ['model.safetensors']);
  });

  it('rejects bytes whose checksum does not match, and deletes them', async () => {
    hub.faults.corrupt = new Set(['model.safetensors']);
    const run = downloadModel({ repo: 'karpathy/stories260K', endpoint: hub.endpoint, modelsDir: tmp });
    await expect(run).rejects.toThrow(HubChecksumError);
    await expect(run).rejects.toThrow(/model.safetensors of karpathy\/stories260K: the SHA-256 of the downloaded bytes is [0-9a-f]{64}, but the Hub published [0-9a-f]{64}: the download is corrupt and was deleted/);
    const dir = path.join(tmp, 'karpathy--stories260K');
    expect(existsSync(path.join(dir, 'model.safetensors'))).toBe(false);
    expect(existsSync(path.join(dir, 'model.safetensors.part'))).toBe(false);
  });

  it('falls back to the X-Linked-Etag and ETag headers when the file list has no hashes', async () => {
    hub.faults.bareFileList = true;
    const result = await downloadModel({ repo: 'karpathy/stories260K', endpoint: hub.endpoint, modelsDir: tmp });
    await sameFiles(result.dir, storiesFiles, ['model.safetensors', 'config.json']);
    expect(result.files.find((f) => f.name === 'model.safetensors')?.hash).toEqual({ kind: 'sha256', hex: expect.stringMatching(/^[0-9a-f]{64}$/) });
    hub.faults.corrupt = new Set(['model.safetensors']);
    await rm(result.dir, { recursive: true });
    await expect(downloadModel({ repo: 'karpathy/stories260K', endpoint: hub.endpoint, modelsDir: tmp })).rejects.toThrow(HubChecksumError);
  });

  it('checks regular files by their git blob id', async () => {
    hub.faults.corrupt = new Set(['tokenizer.json']);
    await expect(downloadModel({ repo: 'karpathy/stories260K', endpoint: hub.endpoint, modelsDir: tmp })).rejects.toThrow(
      /tokenizer.json of karpathy\/stories260K: the git blob SHA-1 of the downloaded bytes is/,
    );
  });

  it('answers a gated repo without a token with a 401 that says to set HF_TOKEN', async () => {
    const run = downloadModel({ repo: 'acme/gated-llama', endpoint: hub.endpoint, modelsDir: tmp });
    await expect(run).rejects.toThrow(HubAuthError);
    await expect(run).rejects.toThrow(/file list of acme\/gated-llama@main: the Hub answered 401 Unauthorized: the repo is gated or private; set HF_TOKEN/);
    await expect(downloadModel({ repo: 'acme/gated-llama', endpoint: hub.endpoint, modelsDir: tmp, token: 'hf_wrong' })).rejects.toThrow(/401 Unauthorized: the token was refused/);
    expect(existsSync(path.join(tmp, 'acme--gated-llama'))).toBe(false);
  });

  it('downloads a gated repo with its token, which never reaches the CDN, messages, logs or files', async () => {
    const seen: string[] = [];
    const consoleSpies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m).mockImplementation((...a: unknown[]) => void seen.push(a.map(String).join(' '))));
    try {
      const options = { repo: 'acme/gated-llama', endpoint: hub.endpoint, modelsDir: tmp, token: TOKEN, log: (l: string) => seen.push(l), onProgress: (p: DownloadProgress) => seen.push(JSON.stringify(p)) };
      const result = await downloadModel(options);
      seen.push(JSON.stringify(result));
      // Failures with the token set: a dropped connection, a corrupt file, an unknown revision.
      hub.faults.dropAlways = new Map([['model.safetensors', 1000]]);
      await rm(path.join(result.dir, 'model.safetensors'));
      const failures: Array<() => Promise<unknown>> = [
        () => downloadModel({ ...options, retries: 0 }),
        async () => {
          hub.faults.dropAlways = undefined;
          hub.faults.corrupt = new Set(['model.safetensors']);
          await rm(path.join(result.dir, 'model.safetensors.part'), { force: true });
          return downloadModel(options);
        },
        () => downloadModel({ ...options, revision: 'no-such-branch' }),
      ];
      const messages: string[] = [];
      for (const run of failures) {
        const error = (await run().catch((e: unknown) => e)) as Error;
        expect(error).toBeInstanceOf(HubError);
        messages.push(error.message);
        seen.push(error.message, error.stack ?? '', JSON.stringify(error));
      }
      expect(messages[0]).toMatch(/connection dropped/);
      expect(messages[1]).toMatch(/SHA-256 .* is corrupt/);
      expect(messages[2]).toMatch(/no-such-branch: not found/);
      for (const text of seen) expect(text).not.toContain(TOKEN);
      for (const name of await readdir(result.dir)) expect(await readFile(path.join(result.dir, name), 'utf8'), name).not.toContain(TOKEN);
      // The Hub got the token; the CDN host (another origin) never did.
      expect(hub.requests.filter((r) => r.server === 'hub').every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
      const cdn = hub.requests.filter((r) => r.server === 'cdn');
      expect(cdn.length).toBeGreaterThan(0);
      expect(cdn.every((r) => r.authorization === null)).toBe(true);
      expect(seen.some((t) => t.includes('acme/gated-llama'))).toBe(true); // the checks did look at real output
    } finally {
      for (const spy of consoleSpies) spy.mockRestore();
    }
  });

  it('redacts the token even if a message would quote it', async () => {
    const leaky = async () => {
      throw new Error(`upstream said: bad header "Bearer ${TOKEN}"`);
    };
    const error = (await downloadModel({ repo: 'acme/gated-llama', endpoint: hub.endpoint, modelsDir: tmp, token: TOKEN, fetch: leaky }).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/could not reach 127.0.0.1:\d+ \(upstream said: bad header "Bearer \[token redacted\]"\)/);
    expect(error.stack).not.toContain(TOKEN);
  });

  it('refuses hostile shard names from the index before writing anything', async () => {
    const files = { ...repos['acme/llama-tiny-sharded'].files };
    const index = JSON.parse(new TextDecoder().decode(files['model.safetensors.index.json']));
    const firstTensor = Object.keys(index.weight_map)[0];
    index.weight_map[firstTensor] = '../../escape.safetensors';
    files['model.safetensors.index.json'] = new TextEncoder().encode(JSON.stringify(index));
    const evil = await startFakeHub({ 'evil/repo': { files: { ...files, '../../escape.safetensors': new Uint8Array(8) } } });
    try {
      await expect(downloadModel({ repo: 'evil/repo', endpoint: evil.endpoint, modelsDir: tmp })).rejects.toThrow(
        /model.safetensors.index.json weight_map\[".*"\]: "..\/..\/escape.safetensors" is not a plain file name; refusing to download it/,
      );
      expect(existsSync(path.join(tmp, '..', 'escape.safetensors'))).toBe(false);
    } finally {
      await evil.close();
    }
  });

  it.each([
    ['../etc', /is not a Hub repo id/],
    ['a/b/c', /is not a Hub repo id/],
    ['owner/na me', /is not a Hub repo id/],
  ])('validates the repo id %j', async (repo, message) => {
    await expect(downloadModel({ repo, endpoint: hub.endpoint, modelsDir: tmp })).rejects.toThrow(message);
  });

  it('says what is missing: unknown repo, unknown revision, no safetensors', async () => {
    await expect(downloadModel({ repo: 'nobody/nothing', endpoint: hub.endpoint, modelsDir: tmp })).rejects.toThrow(/file list of nobody\/nothing@main: not found on the Hub \(404\)/);
    await expect(downloadModel({ repo: 'karpathy/stories260K', revision: 'v9', endpoint: hub.endpoint, modelsDir: tmp })).rejects.toThrow(/@v9: not found/);
    const binOnly = await startFakeHub({ 'old/model': { files: { 'config.json': storiesFiles['config.json'], ...noise } } });
    try {
      await expect(downloadModel({ repo: 'old/model', endpoint: binOnly.endpoint, modelsDir: tmp })).rejects.toThrow(/has no safetensors weights .*; it has pytorch_model.bin, which Probescope does not read/);
    } finally {
      await binOnly.close();
    }
  });
});
