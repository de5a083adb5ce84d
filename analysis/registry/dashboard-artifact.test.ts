/**
 * Stored dashboards of a built-in stories260K SAE: one "feature-dashboards" run over the corpus,
 * packed into typed arrays and unpacked for feature f, equals the method's own result when it is
 * run again with `feature: f` (exact identity, every number and string); cancelling the
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
import { dashboardKeyString, packDashboards, packedBytes, unpackDashboards } from './dashboard-artifact.ts';
import type { DashboardsJson } from './dictionaries.ts';
import { METHODS } from './registry.ts';

const SAE = 'builtin:stories260K-saes/blocks.2.hook_resid_post';
const PARAMS = { dictionary: SAE, samples: 3, length: 16, seed: 5, topContexts: 4 };
let model: Model;

beforeAll(async () => {
  const host = await loadHostModel(new NodeFolderSource(builtinModelFolder('builtin:stories260K')));
  model = modelOnBackend({ ...host, label: 'builtin:stories260K' }, createCpuBackend());
});

const ctx = (signal = new AbortController().signal): MethodRun => ({
  signal,
  onProgress: () => {},
  prompts: null,
  dataset: null,
  dictionaries: (ref) => openBuiltinDictionaries(ref),
});

const dashboards = (feature: number) => METHODS.get('feature-dashboards')!.run(model, { ...PARAMS, feature }, ctx()) as Promise<DashboardsJson>;

describe('stored feature dashboards', () => {
  it('one run for every feature, packed and unpacked, equals the single-feature run of each feature', async () => {
    const json = await dashboards(0);
    const all = packDashboards(json);
    expect(all.dSae).toBe(256);
    expect(all.windowActs).toBeInstanceOf(Float32Array);
    // Features that fire on this corpus and one that may not, the first and the last.
    for (const f of [0, 17, 130, 255]) {
      expect(unpackDashboards(all, f)).toEqual(await dashboards(f));
    }
    // Compact: under a quarter of the JSON text's bytes (UTF-16, as a browser holds it).
    expect(packedBytes(all)).toBeLessThan((2 * JSON.stringify(json).length) / 4);
    expect(() => unpackDashboards(all, 256)).toThrow(/feature 256 is outside \[0, 256\)/);
  });

  it('a changed number anywhere breaks the identity', async () => {
    const json = await dashboards(17);
    const packed = packDashboards(json);
    packed.windowActs[packed.windows.start[packed.contexts.start[17] / 3]] += 1e-3;
    expect(unpackDashboards(packed, 17)).not.toEqual(json);
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
    expect(dashboardKeyString({ ...key, corpus: { ...key.corpus, seed: 1 } })).not.toBe(dashboardKeyString(key));
    expect(dashboardKeyString({ ...key, topContexts: 5 })).not.toBe(dashboardKeyString(key));
  });
});
