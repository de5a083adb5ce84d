import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startFakeHub } from '../../test/fake-hub-server.ts';
import type { FakeHub } from '../../test/fake-hub-server.ts';
import { jsonOf, runCli } from '../../test/cli-capture.ts';

const TOKEN = 'hf_cliTokenNeverPrinted987654321';
const STORIES = 'test/fixtures/stories260K-hf';
const files = Object.fromEntries(['config.json', 'tokenizer.json', 'model.safetensors'].map((n) => [n, readFileSync(path.join(STORIES, n))]));

let hub: FakeHub;
let tmp: string;
beforeEach(async () => {
  hub = await startFakeHub({ 'karpathy/stories260K': { files }, 'acme/private': { files, token: TOKEN } });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'probescope-cli-download-'));
  vi.stubEnv('HF_TOKEN', '');
  vi.stubEnv('HF_ENDPOINT', hub.endpoint);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await hub.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('probescope download', () => {
  it('downloads into --dir and prints one JSON object', async () => {
    const dir = path.join(tmp, 'stories');
    const out = jsonOf(await runCli(['download', 'karpathy/stories260K', '--dir', dir, '--json']));
    expect(out).toMatchObject({ dir, repo: 'karpathy/stories260K', revision: 'main', commit: hub.commitOf('karpathy/stories260K') });
    expect((out.files as Array<{ name: string }>).map((f) => f.name).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json']);
    expect((await readdir(dir)).sort()).toEqual(['.probescope-download.json', 'config.json', 'model.safetensors', 'tokenizer.json']);
  });

  it('puts the model under --models-dir as <owner>--<name> and reports progress on stderr', async () => {
    const result = await runCli(['download', 'karpathy/stories260K', '--models-dir', tmp, '--revision', 'main']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`karpathy/stories260K@[0-9a-f]{8} is in ${path.join(tmp, 'karpathy--stories260K')}`));
    expect(result.stderr).toMatch(/model.safetensors: 1.0 MB \/ 1.0 MB \(100% of 1.1 MB\)/);
  });

  it('uses HF_TOKEN for a private repo and never prints it', async () => {
    const without = await runCli(['download', 'acme/private', '--models-dir', tmp]);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/^probescope download: file list of acme\/private@main: the Hub answered 401 Unauthorized: .*set HF_TOKEN/);

    vi.stubEnv('HF_TOKEN', TOKEN);
    const ok = await runCli(['download', 'acme/private', '--models-dir', tmp]);
    expect(ok.code).toBe(0);
    hub.faults.corrupt = new Set(['config.json']);
    const failed = await runCli(['download', 'acme/private', '--dir', path.join(tmp, 'other')]);
    expect(failed.code).toBe(1);
    for (const output of [ok, failed]) expect(output.stdout + output.stderr).not.toContain(TOKEN);
  });

  it('rejects bad usage with exit code 2', async () => {
    expect((await runCli(['download'])).code).toBe(2);
    expect((await runCli(['download', 'a/b', 'c/d'])).stderr).toMatch(/expected one repo id/);
    expect((await runCli(['download', 'a/b', '--dir', 'x', '--models-dir', 'y'])).code).toBe(2);
    expect((await runCli(['download', '../../etc', '--dir', tmp])).stderr).toMatch(/"..\/..\/etc" is not a Hub repo id/);
  });
});
