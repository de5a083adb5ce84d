/**
 * The no-op check of patching sweeps: what it compares (bits, over a cell's position or the
 * whole tensor) and what it reads back (only the hooks and positions the cells name, in the two
 * full runs' own read-backs).
 */
import { describe, expect, it } from 'vitest';
import type { Backend, Tensor } from '../../gpu/backend.ts';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { hook } from '../hooks/points.ts';
import type { Model } from '../model/model.ts';
import { modelOnBackend } from '../model/model.ts';
import { randomWeights, smallSpec } from '../model/random.ts';
import { metricFunction } from './logit-metric.ts';
import type { PatchCell } from './patch-cells.ts';
import { cellHook } from './patch-cells.ts';
import type { SweepRequest } from './patch-runs.ts';
import { naiveSweep, reusingSweep } from './patch-runs.ts';
import { planSkipCheck, unchangedCells } from './patch-skip.ts';

const points = [
  { name: 'h', axes: ['batch', 'pos', 'dModel'] as const, layer: 0 },
  { name: 'flat', axes: ['batch', 'dModel'] as const, layer: 0 },
];
const byHook = (c: PatchCell) => c.hook ?? 'h';

describe('planSkipCheck and unchangedCells', () => {
  it("compares bits over the cell's whole position (or tensor): −0 is not +0, a NaN equals itself, unknown hooks never skip", () => {
    const shapes = new Map([['h', [1, 2, 2]]]);
    const cells = [{ layer: 0, pos: 0 }, { layer: 0, pos: 1 }, { layer: 0 }, { layer: 0, pos: 0, hook: 'other' }];
    const plan = planSkipCheck(cells, byHook, points, 1, shapes, shapes);
    // A cell without a position needs the whole tensor; the unknown hook reads nothing.
    expect(plan.reads).toEqual([{ hook: 'h', shape: [1, 2, 2] }]);
    expect(Array.from(plan.readOfCell)).toEqual([0, 0, 0, -1]);
    const source = [Float32Array.from([1, NaN, 0, 5])];
    expect(unchangedCells(cells, points, plan, source, [Float32Array.from([1, NaN, -0, 6])])).toEqual(new Set([0]));
    expect(unchangedCells(cells, points, plan, source, [Float32Array.from([1, NaN, 0, 5])])).toEqual(new Set([0, 1, 2]));
  });

  it('reads only the span of positions the cells name up to the metric position, and compares within it', () => {
    const shapes = new Map([['h', [1, 5, 2]], ['flat', [1, 2]]]);
    const cells: PatchCell[] = [
      { layer: 0, pos: 3 },
      { layer: 0, pos: 1 },
      { layer: 0, pos: 4 }, // after the metric position: never run, nothing read
      { layer: 0, pos: 5 }, // outside the hook
      { layer: 0, pos: 0, hook: 'flat' }, // no pos axis
    ];
    const plan = planSkipCheck(cells, byHook, points, 3, shapes, shapes);
    expect(plan.reads).toEqual([{ hook: 'h', span: { axis: 1, start: 1, end: 4 }, shape: [1, 3, 2] }]);
    expect(Array.from(plan.readOfCell)).toEqual([0, 0, -1, -1, -1]);
    // Positions 1..3 as read: 1 equal, 2 not named, 3 differs in one bit (−0).
    const source = [Float32Array.from([1, 2, 7, 8, 0, 4])];
    const base = [Float32Array.from([1, 2, 9, 9, -0, 4])];
    expect(unchangedCells(cells, points, plan, source, base)).toEqual(new Set([1]));
  });

  it('a hook of another shape in either run, or missing from one, is neither read nor skipped', () => {
    const cells = [{ layer: 0, pos: 0 }];
    expect(planSkipCheck(cells, byHook, points, 0, new Map([['h', [1, 2, 2]]]), new Map([['h', [1, 3, 2]]])).reads).toEqual([]);
    expect(planSkipCheck(cells, byHook, points, 0, new Map([['h', [1, 2, 2]]]), new Map()).reads).toEqual([]);
  });
});

/** The backend with every `read` recorded: the shapes of the tensors of each call. */
function recordingReads(backend: Backend): { backend: Backend; reads: number[][][] } {
  const reads: number[][][] = [];
  const recording = new Proxy(backend, {
    get(target, prop) {
      if (prop === 'read') {
        return (tensors: readonly Tensor[]) => {
          reads.push(tensors.map((t) => [...t.shape]));
          return target.read(tensors);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { backend: recording, reads };
}

const clean = [3, 17, 42, 5, 9, 33, 2, 61];
const corrupt = [3, 17, 40, 5, 9, 12, 2, 61];

function request(model: Model, cells: PatchCell[], position: number): SweepRequest {
  return {
    model,
    base: { ids: corrupt, interventions: [] },
    source: { ids: clean, interventions: [] },
    which: 'resid_pre',
    cells,
    metric: metricFunction({ answer: 7, wrong: 30 }, model.spec.dVocab),
    position,
  };
}

describe('the reusing sweep reads back only what the skip check compares', () => {
  const spec = smallSpec('gpt2', { nLayers: 3 });
  const plain = modelOnBackend({ label: 'random-gpt2', spec, weights: randomWeights(spec, 11), tokenizer: null }, createCpuBackend());
  const d = spec.dModel;
  const S = clean.length;
  const V = spec.dVocab;

  it("named hooks and positions only, each in its full run's one read-back with the logits; the grid equals naive", async () => {
    const { backend, reads } = recordingReads(plain.backend);
    const model = { ...plain, backend };
    // Layer 1 only, positions 0, 1 and 3 (and 6, after the metric position 4): resid_pre.1 at
    // positions [0, 4) from each run; positions 0 and 1 (before the first corrupted token) are skipped.
    const cells: PatchCell[] = [{ layer: 1, pos: 0 }, { layer: 1, pos: 1 }, { layer: 1, pos: 3 }, { layer: 1, pos: 6 }];
    const req = request(model, cells, 4);
    const reused = await reusingSweep(req, { maxBatch: 64, maxRecompute: 0 });
    expect(cellHook(spec, 'resid_pre', cells[0])).toBe(hook.residPre(1));
    // The two full runs (metric at 4 < S − 1: all positions' logits), then one call for position 3, then the tail.
    expect(reads.slice(0, 2)).toEqual([
      [[1, S, V], [1, 4, d]],
      [[1, S, V], [1, 4, d]],
    ]);
    expect(reused.patchedCalls).toBe(1);
    expect(reads).toHaveLength(2 + 1 + 1);
    const naive = await naiveSweep(request(plain, cells, 4));
    expect(Array.from(reused.metric)).toEqual(Array.from(naive.metric));
    expect([reused.metric[0], reused.metric[1], reused.metric[3]]).toEqual([reused.baseMetric, reused.baseMetric, reused.baseMetric]);
    expect(reused.metric[2]).not.toBe(reused.baseMetric);
  });

  it('a grid naming every position and layer reads each hook whole, once per run, with nothing sliced', async () => {
    const { backend, reads } = recordingReads(plain.backend);
    const cells: PatchCell[] = Array.from({ length: spec.nLayers * S }, (_, i) => ({ layer: Math.floor(i / S), pos: i % S }));
    const reused = await reusingSweep(request({ ...plain, backend }, cells, S - 1), { maxBatch: 64, maxRecompute: 0 });
    const full = [[1, 1, V], ...Array.from({ length: spec.nLayers }, () => [1, S, d])];
    expect(reads.slice(0, 2)).toEqual([full, full]);
    // Token corruption at positions 2 and 5: layer 0 at the 6 other positions, positions 0–1 at layers 1–2.
    expect(reused.patchedCalls).toBe(spec.nLayers * S - 6 - 2 * (spec.nLayers - 1));
    expect(reads).toHaveLength(2 + reused.patchedCalls + 1);
  });
});
