/** The CLI-side pieces: model identity, the disk cache, and writing a run without a Chromium. */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinModelFolder } from '../../analysis/model/builtin.ts';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import type { CachedStep } from '../cache.ts';
import { MemoryCache } from '../cache.ts';
import { runNotebook } from '../runner.ts';
import { parseNotebookText } from '../validate.ts';
import { DiskCache } from './disk-cache.ts';
import { testTempDir } from '../../test/temp-dir.ts';
import { folderIdentity, nodeModelHost } from './model-host.ts';
import { identityKey, modelIdentity } from '../../analysis/formats/model-identity.ts';
import { NodeFolderSource } from '../../analysis/formats/node-source.ts';
import { writeRunOutputs } from './write-outputs.ts';

const tmp = () => testTempDir('probescope-nb-');

describe('model identity', () => {
  it('is the model identity: a copied folder has the same identity, a changed weight file does not', async () => {
    const builtin = await folderIdentity(builtinModelFolder('builtin:stories260K'));
    expect(builtin).toBe(identityKey(await modelIdentity(new NodeFolderSource(builtinModelFolder('builtin:stories260K')))));
    const copy = join(tmp(), 'model');
    cpSync(builtinModelFolder('builtin:stories260K'), copy, { recursive: true });
    writeFileSync(join(copy, 'NOTES.md'), 'not a model file');
    const host = nodeModelHost(createCpuBackend(), join(copy, '..'));
    expect(await host.identify('model')).toBe(builtin);
    const weights = readFileSync(join(copy, 'model.safetensors'));
    weights[weights.length - 1] ^= 1; // the last byte of the last tensor
    writeFileSync(join(copy, 'model.safetensors'), weights);
    expect(await host.identify('model')).not.toBe(builtin);
    await expect(host.identify('missing')).rejects.toThrow(/model folder .*missing cannot be read \(ENOENT\)/);
  });
});

describe('disk cache', () => {
  const entry: CachedStep = { method: 'm', version: 1, result: { x: [1, null] }, computedAt: '2024-01-01T00:00:00.000Z', ms: 3 };
  const key = 'a'.repeat(64);

  it('round-trips entries and treats unreadable ones as misses', async () => {
    const dir = tmp();
    const cache = new DiskCache(dir);
    expect(await cache.get(key)).toBeUndefined();
    await cache.set(key, entry);
    expect(await new DiskCache(dir).get(key)).toEqual(entry);
    expect(readdirSync(dir)).toEqual([`${key}.json`]);
    writeFileSync(join(dir, `${key}.json`), '{"method": "m", "vers');
    expect(await cache.get(key)).toBeUndefined();
    await expect(cache.set('../escape', entry)).rejects.toThrow(/not a SHA-256 hex digest/);
  });
});

describe('writing a run', () => {
  it('without a Chromium writes JSON, CSV and HTML, and says why there are no SVG/PNG', async () => {
    const plan = parseNotebookText(readFileSync('notebooks/examples/logit-lens.probescope-notebook.json', 'utf8'));
    const run = await runNotebook(plan, { models: nodeModelHost(createCpuBackend(), '.'), cache: new MemoryCache(), backend: 'cpu' });
    const out = tmp();
    const written = await writeRunOutputs(out, plan, run, { images: 'auto', backend: 'cpu', chromium: null });
    expect(written.imagesSkipped).toMatch(/^no Chromium found/);
    expect(written.files.filter((f) => /\.(svg|png)$/.test(f))).toEqual([]);
    expect(written.files).toEqual(expect.arrayContaining(['report.html', 'results.json', 'results/lens.json', 'results/lens.top1.csv', 'figures/05-lens-top1.plotly.json', 'figures/05-lens-top1.csv']));
    for (const f of written.files) expect(existsSync(join(out, f))).toBe(true);
  });
});
