/**
 * Stored dashboards of a built-in stories260K SAE: one "feature-dashboards" run over the corpus,
 * packed into chunks of features; unpacking feature f from its chunk gives exactly the method's
 * own feature f, for every f and chunk sizes that do and do not divide the width; the focused
 * one-feature result shows the same views as the method run with `feature: f`; a version 3 block
 * (every feature in one record) re-packed into chunks reads back the same; cancelling the
 * computation stops between corpus texts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { openBuiltinDictionaries, openBuiltinDictionary } from '../dictionaries/builtin.ts';
import { featureDashboards } from '../dictionaries/dashboard.ts';
import { dictionaryOnBackend } from '../dictionaries/device.ts';
import { NodeFolderSource } from '../formats/node-source.ts';
import { builtinModelFolder } from '../model/builtin.ts';
import { loadHostModel } from '../model/load.ts';
import type { Model } from '../model/model.ts';
import { modelOnBackend } from '../model/model.ts';
import type { MethodRun } from './contract.ts';
import type { ChunkedDashboards, PackedBlock } from './dashboard-artifact.ts';
import { chunkBlock, chunkBytes, chunkOf, dashboardKeyString, DASHBOARD_BLOCK_FORMAT, focusedDashboards, packDashboards, unpackFeature } from './dashboard-artifact.ts';
import type { DashboardsJson } from './dictionaries.ts';
import { featureDashboardsStep } from './dictionaries.ts';
import { METHODS } from './registry.ts';

const SAE = 'builtin:stories260K-saes/blocks.2.hook_resid_post';
const PARAMS = { dictionary: SAE, samples: 3, length: 16, seed: 5, topContexts: 4 };
let model: Model;
let json: DashboardsJson;

beforeAll(async () => {
  const host = await loadHostModel(new NodeFolderSource(builtinModelFolder('builtin:stories260K')));
  model = modelOnBackend({ ...host, label: 'builtin:stories260K' }, createCpuBackend());
  json = await dashboards(0);
});

const ctx = (signal = new AbortController().signal): MethodRun => ({
  signal,
  onProgress: () => {},
  prompts: null,
  dataset: null,
  dictionaries: (ref) => openBuiltinDictionaries(ref),
});

function dashboards(feature: number): Promise<DashboardsJson> {
  return METHODS.get('feature-dashboards')!.run(model, { ...PARAMS, feature }, ctx()) as Promise<DashboardsJson>;
}

/** Feature f read as the app reads it: the chunk chunkOf names, unpacked for f only. */
const read = (d: ChunkedDashboards, f: number) => unpackFeature(d.chunks[chunkOf(d.header, f)], f);

describe('stored feature dashboards', () => {
  it.each([64, 100, 1])('every feature read from its chunk (%i features a chunk) equals the method\'s feature', (size) => {
    const d = packDashboards(json, size);
    expect(d.header).toMatchObject({ dSae: 256, chunkFeatures: size, chunks: Math.ceil(256 / size) });
    expect(d.chunks.map((c) => c.first)).toEqual(Array.from({ length: d.header.chunks }, (_, c) => c * size));
    expect(d.chunks.at(-1)!.count).toBe(256 - size * (d.header.chunks - 1));
    for (let f = 0; f < 256; f++) expect(read(d, f)).toEqual(json.features[f]);
  });

  it('the focused feature shows what the method run for that feature shows', async () => {
    const d = packDashboards(json);
    expect(d.chunks[0].windowActs).toBeInstanceOf(Float32Array);
    // Features that fire on this corpus and one that may not, the first and the last.
    for (const f of [0, 17, 130, 255]) {
      const own = await dashboards(f);
      const shown = focusedDashboards(d.header, read(d, f));
      expect(shown).toEqual({ ...own, features: [own.features[f]] });
      for (const view of ['contexts', 'histogram', 'logits', 'neighbours'] as const) expect(featureDashboardsStep.view(shown, view)).toEqual(featureDashboardsStep.view(own, view));
    }
    expect(() => chunkOf(d.header, 256)).toThrow(/feature 256 is outside \[0, 256\)/);
    expect(() => unpackFeature(d.chunks[0], 64)).toThrow(/feature 64 is not in the chunk of features 0 … 63/);
  });

  it('is compact, and one chunk is its share of the whole', () => {
    const d = packDashboards(json);
    const bytes = d.chunks.map(chunkBytes);
    const total = bytes.reduce((a, b) => a + b, 0);
    // Under a quarter of the JSON text's bytes (UTF-16, as a browser holds it).
    expect(total).toBeLessThan((2 * JSON.stringify(json).length) / 4);
    for (const b of bytes) expect(b).toBeLessThan((2 * total) / d.header.chunks);
  });

  it('a changed number anywhere breaks the identity', () => {
    const d = packDashboards(json);
    // A feature past the first chunk that fires on the corpus: its first context's first activation.
    const f = json.features.findIndex((x) => x.feature >= 64 && x.contexts.length > 0);
    expect(f).toBeGreaterThan(0);
    const chunk = d.chunks[chunkOf(d.header, f)];
    chunk.windowActs[chunk.windows.start[chunk.contexts.start[f - chunk.first] / 3]] += 1e-3;
    expect(read(d, f)).not.toEqual(json.features[f]);
  });

  it('a version 3 block (every feature in one record) re-packed into chunks reads back every feature', () => {
    // Version 3 stored the arrays of all features in one block, with the dictionary's fields.
    const { first: _first, count: _count, ...arrays } = packDashboards(json, 256).chunks[0];
    const block: PackedBlock = { format: DASHBOARD_BLOCK_FORMAT, dictionary: json.dictionary, hookOut: json.hookOut, dSae: 256, sequences: json.sequences, positions: json.positions, ...arrays };
    const d = chunkBlock(block);
    expect(d.header).toMatchObject({ dictionary: SAE, dSae: 256, sequences: 3, positions: json.positions, chunks: 4 });
    for (let f = 0; f < 256; f++) expect(read(d, f)).toEqual(json.features[f]);
    expect(() => chunkBlock({ ...block, format: 'other' as typeof DASHBOARD_BLOCK_FORMAT })).toThrow(/format other, expected probescope-dashboards-1/);
  });

  it('cancelling stops between corpus texts, with nothing returned', async () => {
    const dict = dictionaryOnBackend(await openBuiltinDictionary(SAE), model.backend);
    const abort = new AbortController();
    const progress: number[] = [];
    const corpus = [[1, 2, 3, 4], [1, 5, 6], [1, 7, 8, 9]];
    const run = featureDashboards(model, dict, corpus, {
      signal: abort.signal,
      onProgress: (done) => {
        progress.push(done);
        if (done === 1) abort.abort();
      },
    });
    await expect(run).rejects.toThrow(/abort/i);
    expect(progress).toEqual([1]);
  });

  it('keys differ by corpus and settings, and are stable', () => {
    const key = { model: 'sha:abc', dictionary: SAE, corpus: { samples: 24, length: 48, seed: 0 }, topContexts: 10 };
    expect(dashboardKeyString(key)).toBe(dashboardKeyString({ ...key }));
    // The scheme stored rows were written under (schema version 3 on).
    expect(dashboardKeyString(key)).toBe(JSON.stringify(['probescope-dashboards-1', 'sha:abc', SAE, 24, 48, 0, 10]));
    expect(dashboardKeyString({ ...key, corpus: { ...key.corpus, seed: 1 } })).not.toBe(dashboardKeyString(key));
    expect(dashboardKeyString({ ...key, topContexts: 5 })).not.toBe(dashboardKeyString(key));
  });
});
