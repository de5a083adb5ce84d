import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NodeFolderSource } from './node-source.ts';
import { testTempDir } from '../../test/temp-dir.ts';

const STORIES = fileURLToPath(new URL('../../test/fixtures/stories260K-hf/', import.meta.url));

describe('NodeFolderSource', () => {
  const source = new NodeFolderSource(STORIES);
  const whole = readFileSync(join(STORIES, 'model.safetensors'));

  it('labels itself with the folder path', () => {
    expect(source.label).toBe(STORIES.replace(/\/$/, ''));
    expect(new NodeFolderSource(STORIES, 'builtin:x').label).toBe('builtin:x');
  });

  it('knows which files exist and their sizes', async () => {
    expect(await source.has('config.json')).toBe(true);
    expect(await source.has('nope.json')).toBe(false);
    expect(await source.size('model.safetensors')).toBe(whole.length);
    await expect(source.size('nope.json')).rejects.toThrow(`${source.label}: nope.json not found`);
  });

  it('reads exact byte ranges', async () => {
    const bytes = await source.read('model.safetensors', 1000, 1100);
    expect(bytes).toEqual(new Uint8Array(whole.subarray(1000, 1100)));
    expect((await source.read('model.safetensors', 5, 5)).length).toBe(0);
    const tail = await source.read('model.safetensors', whole.length - 3, whole.length);
    expect(tail).toEqual(new Uint8Array(whole.subarray(whole.length - 3)));
  });

  it('rejects ranges outside the file', async () => {
    await expect(source.read('model.safetensors', 0, whole.length + 1)).rejects.toThrow(
      `read of bytes [0, ${whole.length + 1}) is outside model.safetensors (${whole.length} bytes)`,
    );
    await expect(source.read('model.safetensors', 10, 5)).rejects.toThrow(/is outside model.safetensors/);
    await expect(source.read('model.safetensors', -1, 5)).rejects.toThrow(/is outside model.safetensors/);
  });

  it('refuses names that leave the folder', async () => {
    await expect(source.has('../gpt2-tiny/config.json')).rejects.toThrow(
      '"../gpt2-tiny/config.json" is not a plain file name inside the model folder',
    );
    await expect(source.size('/etc/passwd')).rejects.toThrow(/not a plain file name/);
  });

  it('reads files in subfolders and empty files', async () => {
    const dir = testTempDir('probescope-node-source-');
    writeFileSync(join(dir, 'empty.bin'), new Uint8Array(0));
    const src = new NodeFolderSource(dir);
    expect(await src.size('empty.bin')).toBe(0);
    expect((await src.read('empty.bin', 0, 0)).length).toBe(0);
  });
});
