/**
 * Progress of an activation-patching sweep counts forward passes only: the no-op check's
 * comparisons travel in the full runs' own read-backs, so a host's pass count is the two full
 * runs, one per patched call and one per tail chunk, and it rises by one per report.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { modelOnBackend } from '../model/model.ts';
import { randomWeights, smallSpec } from '../model/random.ts';
import { METHODS } from './registry.ts';

const clean = [3, 17, 42, 5, 9, 33, 2, 61];
const corrupt = [3, 17, 40, 5, 9, 12, 2, 61];

describe('activation-patching progress', () => {
  it('counts the forward passes: 2 full runs + patched calls + 1 tail, one at a time', async () => {
    const spec = smallSpec('gpt2');
    const model = modelOnBackend({ label: 'random-gpt2', spec, weights: randomWeights(spec, 11), tokenizer: null }, createCpuBackend());
    const reports: [number, number][] = [];
    const ctx = {
      prompts: { cell: 'p', items: [{ ids: clean }, { ids: corrupt }] },
      dataset: null,
      signal: new AbortController().signal,
      onProgress: (done: number, total: number) => reports.push([done, total]),
    };
    const params = { clean: 0, corrupted: 1, hook: 'resid_pre', answer: 7, wrong: 30 };
    const r = (await METHODS.get('activation-patching')!.run(model, params, ctx)) as { patchedCalls: number };
    // Token corruption at positions 2 and 5: 6 cells of layer 0 and 2 per later layer patch nothing.
    const L = spec.nLayers;
    expect(r.patchedCalls).toBe(L * clean.length - 6 - 2 * (L - 1));
    // One call per patched cell on the CPU backend, their metric rows unembedded in one tail call (≤ 64 rows).
    const passes = 2 + r.patchedCalls + 1;
    const done = reports.map(([d]) => d);
    // The plan, one report per pass with the sweep's re-plan after the two full runs, then the final one.
    expect(done).toEqual([0, 1, 2, 2, ...Array.from({ length: passes - 2 }, (_, i) => i + 3), passes]);
    expect(reports.at(-1)).toEqual([passes, passes]);
  });
});
