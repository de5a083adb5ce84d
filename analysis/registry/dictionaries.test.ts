/**
 * The dictionary methods through the registry: a host resolver opens the fixture SAE; dashboards
 * cover every feature and show the focused one; steering with +0 keeps the clean continuation
 * and a large coefficient changes it; search lists the features active at a position.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { NodeFolderSource } from '../formats/node-source.ts';
import { openDictionaries } from '../dictionaries/open.ts';
import type { Model } from '../model/model.ts';
import { loadGolden, loadHost, saeFolder } from '../../test/dictionary-goldens.ts';
import type { MethodRun } from './contract.ts';
import { METHODS } from './registry.ts';
import { directLogitAttribution } from '../methods/dla.ts';

const HOST = 'stories260K-hf';
let model: Model;
beforeAll(async () => {
  model = await loadHost(HOST, createCpuBackend());
});

const golden = loadGolden(HOST, 'standard-L2-resid_post');
const ctx = (): MethodRun => ({
  signal: new AbortController().signal,
  onProgress: () => {},
  prompts: { cell: 'prompts', items: [{ label: 'story', ids: golden.inputs[0].input_ids }] },
  dataset: null,
  dictionaries: (ref) => openDictionaries(new NodeFolderSource(saeFolder(HOST, ref)), { nLayers: 5 }),
});

describe('dictionary methods in the registry', () => {
  it('feature-dashboards: every feature, views of the focused one', async () => {
    const m = METHODS.get('feature-dashboards')!;
    const r = (await m.run(model, { dictionary: 'standard-L2-resid_post', feature: 49, samples: 2, length: 16 }, ctx())) as { features: unknown[]; focus: number };
    expect(r.features).toHaveLength(320);
    expect(r.focus).toBe(49);
    const contexts = m.view(r as never, 'contexts');
    expect(contexts.kind).toBe('table');
    expect(m.view(r as never, 'logits').kind).toBe('series');
    await expect(m.run(model, { dictionary: 'standard-L2-resid_post', feature: 999, samples: 1, length: 4 }, ctx())).rejects.toThrow(/feature: 999 is outside/);
  });

  it('feature-steer: +0 keeps the clean text, +40 changes it', async () => {
    const m = METHODS.get('feature-steer')!;
    const base = { dictionary: 'standard-L2-resid_post', feature: 49, prompt: 'story', maxNewTokens: 12 };
    const same = (await m.run(model, { ...base, value: 0 }, ctx())) as { clean: { ids: number[] }; steered: { ids: number[] } };
    expect(same.steered.ids).toEqual(same.clean.ids);
    const moved = (await m.run(model, { ...base, value: 40 }, ctx())) as { clean: { ids: number[] }; steered: { ids: number[] } };
    expect(moved.steered.ids).not.toEqual(moved.clean.ids);
  });

  it('feature-search: the golden active features at a position, strongest first', async () => {
    const m = METHODS.get('feature-search')!;
    const r = (await m.run(model, { dictionary: 'standard-L2-resid_post', prompt: 0, position: 3, top: 200 }, ctx())) as { features: { feature: number }[] };
    const want = [...golden.inputs[0].feature_acts['3']].sort((a, b) => b[1] - a[1]).map(([f]) => f);
    expect(r.features.map((f) => f.feature)).toEqual(want);
  });

  it("feature-attribution: the transcoder's pieces sum to DLA's MLP component", async () => {
    const m = METHODS.get('feature-attribution')!;
    const r = (await m.run(model, { dictionary: 'jumprelu_transcoder-L1-mlp', prompt: 0, position: 5 }, ctx())) as { total: number; answer: { id: number }; features: unknown[] };
    const dla = await directLogitAttribution(model, { ids: golden.inputs[0].input_ids }, { pos: 5, answer: r.answer.id });
    expect(Math.abs(r.total - dla.components.find((c) => c.name === 'L1.mlp')!.value)).toBeLessThan(1e-4);
    const table = m.view(r as never, 'table');
    expect(table.kind === 'table' && table.rows.length).toBe(r.features.length + 2);
  });
});
