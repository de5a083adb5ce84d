/**
 * The views the app's method views draw that a plain run did not offer before: DLA split by
 * source position, a [layer, pos, head] patching sweep condensed to layer × head, attribution
 * patching on one colour scale and as a scatter against exact patching, ObsProp's per-token
 * scores, LinearScope with the default target and decoded values. Each is checked against an
 * identity of the method or an independent computation, on stories260K.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../json.ts';
import { openBuiltinSource } from '../model/builtin.ts';
import { loadHostModel } from '../model/load.ts';
import type { Model } from '../model/model.ts';
import { modelOnBackend } from '../model/model.ts';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { run } from '../model/run.ts';
import { argmax } from '../model/sampling.ts';
import type { GridView, ScatterView } from './views.ts';
import { METHODS } from './registry.ts';
import { gridColumn, gridRow } from './view-slices.ts';

const CLEAN = 'Once upon a time, there was a girl named Lily. One day,';
const CORRUPT = 'Once upon a time, there was a girl named Tim. One day,';
let model: Model;

beforeAll(async () => {
  model = modelOnBackend({ ...(await loadHostModel(await openBuiltinSource('builtin:stories260K'))), label: 'stories260K' }, createCpuBackend());
});

async function runMethod(name: string, params: Record<string, unknown>, prompts = [CLEAN, CORRUPT]): Promise<Json> {
  return METHODS.get(name)!.run(model, params, { signal: new AbortController().signal, onProgress: () => {}, prompts: { cell: 'test', items: prompts.map((text) => ({ text })) }, dataset: null });
}

const grid = (method: string, result: Json, view: string) => METHODS.get(method)!.view(result, view) as GridView;

describe('registry views for the app', () => {
  it('dla: each head split by source position sums to its contribution; without perSource there is no split', async () => {
    const r = await runMethod('dla', { prompt: 0, perSource: true });
    const heads = grid('dla', r, 'heads');
    const sources = grid('dla', r, 'sources');
    const H = heads.x.labels.length;
    expect(sources.y.labels).toHaveLength(heads.y.labels.length * H);
    expect(sources.x.labels).toHaveLength((r as { ids: number[] }).ids.length);
    for (let l = 0; l < heads.y.labels.length; l++) {
      for (let h = 0; h < H; h++) {
        const row = gridRow(sources, l * H + h);
        expect(row.traces[0].name).toBe(`L${l}H${h}`);
        expect(row.traces[0].values.reduce<number>((a, v) => a + (v ?? 0), 0)).toBeCloseTo(heads.z[l][h]!, 4);
      }
    }
    expect((r as { scale: number }).scale).toBeGreaterThan(0);
    const plain = await runMethod('dla', { prompt: 0 });
    expect((plain as { sources: unknown }).sources).toBeNull();
  });

  it('activation patching by head: the signed largest |value| of each head over positions', async () => {
    // A short pair keeps the per-position head sweep small.
    const r = await runMethod('activation-patching', { clean: 0, corrupted: 1, hook: 'z', answer: ' Lily', wrong: ' Tim' }, ['One day, Lily said', 'One day, Tim said']);
    const full = grid('activation-patching', r, 'normalized');
    const byHead = grid('activation-patching', r, 'normalized-by-head');
    const [L, , H] = (r as { shape: number[] }).shape;
    expect(byHead.z).toHaveLength(L);
    for (let l = 0; l < L; l++) {
      for (let h = 0; h < H; h++) {
        const values = full.z[l * H + h].filter((v): v is number => v !== null);
        const largest = values.reduce((a, v) => (Math.abs(v) > Math.abs(a) ? v : a), 0);
        expect(byHead.z[l][h]).toBe(largest);
      }
    }
    // A [layer, pos] sweep has no head axis: drawn as it is; its columns are positions across layers.
    const resid = await runMethod('activation-patching', { clean: 0, corrupted: 1, hook: 'resid_pre', answer: ' Lily', wrong: ' Tim' });
    const residGrid = grid('activation-patching', resid, 'normalized');
    expect(grid('activation-patching', resid, 'normalized-by-head').z).toEqual(residGrid.z);
    expect(gridColumn(residGrid, 13).traces[0].values).toEqual(residGrid.z.map((row) => row[13]));
    expect((resid as { patchedCalls: number }).patchedCalls).toBeGreaterThan(0);
  });

  it('attribution patching: both grids on one symmetric colour scale; the scatter pairs exact (x) with the estimate (y) per cell', async () => {
    const r = (await runMethod('attribution-patching', { clean: 0, corrupted: 1, hook: 'resid_pre', answer: ' Lily', wrong: ' Tim' })) as { attribution: number[]; exact: number[] };
    const m = Math.max(...r.attribution.map(Math.abs), ...r.exact.map(Math.abs));
    for (const name of ['attribution', 'exact', 'attribution-by-head', 'exact-by-head']) expect(grid('attribution-patching', r, name).range).toEqual([-m, m]);
    const scatter = METHODS.get('attribution-patching')!.view(r, 'comparison') as ScatterView;
    expect(scatter.kind).toBe('scatter');
    expect(scatter.x.values).toEqual(r.exact);
    expect(scatter.y.values).toEqual(r.attribution);
    expect(scatter.points.labels).toHaveLength(r.exact.length);
  });

  it('linearscope: the default target is the top prediction at the position; each position decodes with values', async () => {
    const r = (await runMethod('linearscope', { prompt: 0 })) as { target: { id: number }; ids: number[]; decoded: { top: { value: number }[]; bottom: { value: number }[] }[] };
    const out = await run(model, { ids: r.ids }, { logits: 'all' });
    const V = model.spec.dVocab;
    const last = r.ids.length - 1;
    expect(r.target.id).toBe(argmax(out.logits!.data.subarray(last * V, (last + 1) * V)));
    expect(r.decoded).toHaveLength(r.ids.length);
    for (const d of r.decoded) expect(d.top[0].value).toBeGreaterThanOrEqual(d.bottom[0].value);
  });

  it('obsprop: a per-token score row for every head on the prompt', async () => {
    const r = (await runMethod('obsprop', { positive: [' he'], negative: [' she'], prompt: 0, effects: 'none' })) as { tokens: string[]; norms: number[][] };
    const scores = grid('obsprop', r, 'scores');
    expect(scores.y.labels).toHaveLength(r.norms.length * r.norms[0].length);
    for (const row of scores.z) {
      expect(row).toHaveLength(r.tokens.length);
      expect(row.every((v) => v !== null && Number.isFinite(v))).toBe(true);
    }
  });
});
