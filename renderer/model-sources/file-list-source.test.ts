import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../analysis/formats/errors.ts';
import { loadHostModel } from '../../analysis/model/load.ts';
import { FileListSource, folderFromInputFiles } from './file-list-source.ts';

const folder = path.resolve(import.meta.dirname, '../../models/stories260K');

function pickedFiles(): File[] {
  // What <input webkitdirectory> gives: File objects whose relative path starts with the folder.
  return readdirSync(folder).map((name) => {
    const file = new File([readFileSync(path.join(folder, name))], name);
    Object.defineProperty(file, 'webkitRelativePath', { value: `stories260K/${name}` });
    return file;
  });
}

describe('FileListSource', () => {
  it('loads stories260K from picked File objects', async () => {
    const { label, files } = folderFromInputFiles(pickedFiles());
    expect(label).toBe('stories260K');
    const host = await loadHostModel(new FileListSource(label, files));
    expect(host.spec.nLayers).toBe(5);
    expect(host.tokenizer?.encode('Once upon', { prependBos: true })[0]).toBe(1);
  });

  it('reads exact byte ranges with Blob.slice', async () => {
    const source = new FileListSource('t', [{ path: 'a.bin', file: new Blob([new Uint8Array([0, 1, 2, 3, 4])]) }]);
    expect(Array.from(await source.read('a.bin', 1, 4))).toEqual([1, 2, 3]);
    expect(await source.read('a.bin', 2, 2)).toHaveLength(0);
    await expect(source.read('a.bin', 3, 9)).rejects.toThrow(/outside a\.bin/);
    expect(await source.size('a.bin')).toBe(5);
  });

  it('names missing files and refuses paths outside the folder', async () => {
    const source = new FileListSource('my-model', []);
    expect(await source.has('config.json')).toBe(false);
    await expect(source.size('config.json')).rejects.toBeInstanceOf(ModelFormatError);
    await expect(source.read('../secret', 0, 1)).rejects.toThrow(/not a plain file name/);
  });

  it('gives the loader message for a folder without weights', async () => {
    const files = pickedFiles().filter((f) => !f.name.endsWith('.safetensors'));
    const { label, files: entries } = folderFromInputFiles(files);
    await expect(loadHostModel(new FileListSource(label, entries))).rejects.toBeInstanceOf(ModelFormatError);
  });
});
