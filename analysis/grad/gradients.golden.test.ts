/**
 * Golden (f) of test/fixtures/NAME/reference.json: ∂metric/∂blocks.l.hook_resid_pre for every layer
 * and ∂metric/∂blocks.{L−1}.attn.hook_z (query-head axis), on the corrupted input of (e), from an
 * independent float64 autodiff reference; float32 tolerance |a − b| ≤ 1e-4 + 1e-4·|b| (README).
 */
import { describe, expect, it } from 'vitest';
import { hook } from '../hooks/points.ts';
import { loadFixtureModel } from '../../test/fixture-model.ts';
import type { FixtureModel } from '../../test/reference.ts';
import { FIXTURE_MODELS, flatten, loadReference, maxAbsDiff, worstMismatch } from '../../test/reference.ts';
import { gradients } from './gradients.ts';
import { logitDiff } from './metric.ts';

interface GoldenGradients {
  input_ids: number[];
  clean_token: number;
  corrupted_token: number;
  metric_value: number;
  resid_pre_layers: number[];
  resid_pre: number[][][];
  attn_z_layer: number;
  attn_z: number[][][];
}

describe.each(FIXTURE_MODELS)('golden (f) gradients: %s', (name: FixtureModel) => {
  it('resid_pre at every layer and attn_z of the last layer', async () => {
    const ref = loadReference(name);
    const golden = ref.methods.gradients as GoldenGradients;
    const model = await loadFixtureModel(name);
    const zHook = hook.z(golden.attn_z_layer);
    const r = await gradients(model, { ids: golden.input_ids }, {
      metric: logitDiff(golden.clean_token, golden.corrupted_token),
      wrt: [...golden.resid_pre_layers.map((l) => hook.residPre(l)), zHook],
    });
    expect(Math.abs(r.value - golden.metric_value)).toBeLessThan(1e-4);
    const S = golden.input_ids.length;
    const report: string[] = [];
    golden.resid_pre_layers.forEach((l, i) => {
      const got = r.grads[hook.residPre(l)];
      const want = flatten(golden.resid_pre[i]);
      expect(got.shape).toEqual([1, S, model.spec.dModel]);
      expect(worstMismatch(got.data, want.data), hook.residPre(l)).toBeNull();
      report.push(`resid_pre ${l}: ${maxAbsDiff(got.data, want.data).toExponential(2)}`);
    });
    const z = r.grads[zHook];
    const want = flatten(golden.attn_z);
    expect(z.shape).toEqual([1, ...want.shape]);
    expect(worstMismatch(z.data, want.data), zHook).toBeNull();
    report.push(`attn_z: ${maxAbsDiff(z.data, want.data).toExponential(2)}`);
    console.log(`${name} max |Δ|: ${report.join(', ')}`);
  });
});
