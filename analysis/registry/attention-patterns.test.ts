/**
 * attention-patterns against the independent float64 goldens (test/fixtures/gpt2-tiny: TransformerLens
 * `blocks.l.attn.hook_pattern`), and its views: the focus head's query × key grid and the
 * mean attention distance Σ_k a[q][k]·(q − k) averaged over queries.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { loadFixtureModel } from '../../test/fixture-model.ts';
import { flatten, loadReference, worstMismatch } from '../../test/reference.ts';
import type { GridView } from './views.ts';
import { METHODS } from './registry.ts';

type Result = { layers: number[]; heads: number[]; focus: { layer: number; head: number }; patterns: number[][][][]; tokens: string[] };

const ctx = (ids: number[]) => ({ prompts: { cell: 'p', items: [{ ids }] }, dataset: null, signal: new AbortController().signal, onProgress() {} });

describe('attention-patterns', () => {
  it('gives hook_pattern of the kept layers and heads, equal to the goldens', async () => {
    const ref = loadReference('gpt2-tiny');
    const model = await loadFixtureModel('gpt2-tiny', createCpuBackend());
    const method = METHODS.get('attention-patterns')!;
    const input = ref.inputs[0];
    const r = (await method.run(model, { layers: [1, 0], heads: [3, 1], focus: { layer: 1, head: 3 } }, ctx(input.input_ids))) as unknown as Result;
    expect(r.layers).toEqual([0, 1]);
    expect(r.heads).toEqual([1, 3]);
    const S = input.input_ids.length;
    for (const [li, l] of r.layers.entries()) {
      const golden = flatten(input.cache[`blocks.${l}.attn.hook_pattern`]);
      expect(golden.shape).toEqual([model.spec.nHeads, S, S]);
      for (const [hi, h] of r.heads.entries()) {
        const expected = golden.data.subarray(h * S * S, (h + 1) * S * S);
        expect(worstMismatch(r.patterns[li][hi].flat(), expected, 1e-5, 1e-5), `L${l}H${h}`).toBeNull();
      }
    }
    const pattern = method.view(r as never, 'pattern') as GridView;
    expect(pattern.title).toContain('L1H3');
    expect(pattern.z).toEqual(r.patterns[1][1]);
    expect(pattern.x.labels).toHaveLength(S);
    const heads = method.view(r as never, 'heads') as GridView;
    const a = r.patterns[0][0];
    const distance = a.reduce((s, row, q) => s + row.reduce((t, w, k) => t + w * (q - k), 0), 0) / S;
    expect(heads.z[0][0]).toBeCloseTo(distance, 12);
    expect(heads.y.labels).toEqual(['L0', 'L1']);
    expect(heads.x.labels).toEqual(['H1', 'H3']);
  });

  it('names a layer, head or focus the model does not have', async () => {
    const model = await loadFixtureModel('gpt2-tiny', createCpuBackend());
    const method = METHODS.get('attention-patterns')!;
    await expect(method.run(model, { layers: [2] }, ctx([1, 2]))).rejects.toThrow('params.layers: layer 2 does not exist (the model has 2: 0..1)');
    await expect(method.run(model, { heads: [4] }, ctx([1, 2]))).rejects.toThrow('params.heads: head 4 does not exist');
    await expect(method.run(model, { layers: [0], focus: { layer: 1, head: 0 } }, ctx([1, 2]))).rejects.toThrow('params.focus: L1H0 is not among the kept layers (0)');
  });
});
