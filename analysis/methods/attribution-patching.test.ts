/**
 * Attribution patching: golden (g) on every fixture (grid, exact_grid, pearson), and the identity
 * "attribution = exact patching wherever the patched path is linear".
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { loadFixtureModel } from '../../test/fixture-model.ts';
import type { FixtureModel } from '../../test/reference.ts';
import { FIXTURE_MODELS, flatten, loadReference, maxAbsDiff, worstMismatch } from '../../test/reference.ts';
import { gradients } from '../grad/gradients.ts';
import { logitDiff } from '../grad/metric.ts';
import { hook } from '../hooks/points.ts';
import type { Model } from '../model/model.ts';
import { modelOnBackend } from '../model/model.ts';
import { randomWeights, smallSpec } from '../model/random.ts';
import { run } from '../model/run.ts';
import type { ModelSpec } from '../model/spec.ts';
import type { PatchHook } from './patch-cells.ts';
import { attributionPatching, pearson } from './attribution-patching.ts';

interface GoldenPatching {
  corrupted_input_ids: number[];
  clean_token: number;
  corrupted_token: number;
  clean_metric: number;
  corrupted_metric: number;
}
interface GoldenAttribution {
  grid: number[][];
  exact_grid: number[][];
  pearson: number;
}

describe.each(FIXTURE_MODELS)('golden (g) attribution patching: %s', (name: FixtureModel) => {
  it('resid_pre grid, exact grid and their correlation', async () => {
    const ref = loadReference(name);
    const patching = ref.methods.activation_patching as GoldenPatching;
    const golden = ref.methods.attribution_patching as GoldenAttribution;
    const model = await loadFixtureModel(name);
    const r = await attributionPatching(model, {
      clean: ref.inputs[0].input_ids,
      corruption: { kind: 'tokens', ids: patching.corrupted_input_ids },
      hook: 'resid_pre',
      answer: patching.clean_token,
      wrong: patching.corrupted_token,
    });
    const S = ref.inputs[0].input_ids.length;
    expect(r.axes).toEqual(['layer', 'pos']);
    expect(r.shape).toEqual([ref.n_layers, S]);
    expect(Math.abs(r.cleanMetric - patching.clean_metric)).toBeLessThan(1e-4);
    expect(Math.abs(r.corruptedMetric - patching.corrupted_metric)).toBeLessThan(1e-4);
    const grid = flatten(golden.grid).data;
    const exact = flatten(golden.exact_grid).data;
    expect(worstMismatch(r.attribution, grid)).toBeNull();
    expect(worstMismatch(r.exact!, exact)).toBeNull();
    expect(Math.abs(r.pearson! - golden.pearson)).toBeLessThan(1e-4);
    // Position 0 sees identical tokens in both runs, so both grids are exactly 0 there.
    for (let l = 0; l < ref.n_layers; l++) expect(r.attribution[l * S]).toBe(0);
    console.log(`${name}: max |Δ| grid ${maxAbsDiff(r.attribution, grid).toExponential(2)}, exact ${maxAbsDiff(r.exact!, exact).toExponential(2)}, pearson ${r.pearson!.toFixed(6)} vs ${golden.pearson}`);
  });
});

/**
 * A model whose norms are linear maps: ε = 1e16 swamps mean(x²) (< 1e8 here, below half an f32 ulp
 * of 1e16) so every norm scale is exactly 1e8 in float32, and gains of 1e8·(1 + 0.1·N(0,1)) undo it.
 * What remains nonlinear is attention (softmax of q·k) and the MLP activations. The paths from the
 * last layer's resid_post and mlp_out to the logits are then linear; in a parallel-residual (NeoX)
 * last layer also those from attn_out, z and v (the pattern does not depend on v, and the MLP
 * reads the block input, not the attention output). There attribution must equal exact patching.
 */
function linearNormModel(type: ModelSpec['modelType']): Model {
  const spec = smallSpec(type, { normEps: 1e16 });
  const weights = randomWeights(spec, 5, 0.3);
  const gains = [weights.lnFinal.w, ...weights.blocks.flatMap((b) => [b.ln1!.w, b.ln2!.w])];
  for (const g of gains) (g.data as Float32Array).forEach((v, i, a) => (a[i] = v * 1e8));
  return modelOnBackend({ label: `linear-norm-${type}`, spec, weights, tokenizer: null }, createCpuBackend());
}

describe('attribution equals exact patching on linear paths', () => {
  const clean = [3, 17, 42, 5, 9, 33, 2, 61];
  const corruptIds = [3, 11, 42, 50, 9, 33, 2, 61];
  const cases: [ModelSpec['modelType'], PatchHook[]][] = [
    ['gpt2', ['resid_post', 'mlp_out']],
    ['gpt_neox', ['resid_post', 'mlp_out', 'attn_out', 'z', 'v']],
    ['llama', ['resid_post', 'mlp_out']],
  ];
  it.each(cases)('%s: the last layer of %j', async (type, hooks) => {
    const model = linearNormModel(type);
    const L = model.spec.nLayers;
    let nonlinearGap = 0;
    for (const which of hooks) {
      const r = await attributionPatching(model, {
        clean,
        // Noise corruption (an `add` intervention on hook_embed) for one sweep, token replacement for the rest.
        corruption: which === 'mlp_out' ? { kind: 'noise', positions: [1, 3], seed: 2 } : { kind: 'tokens', ids: corruptIds },
        hook: which,
        answer: 7,
        wrong: 12,
      });
      const perLayer = r.attribution.length / L;
      const exact = r.exact!;
      const scale = Math.max(...Array.from(exact, Math.abs));
      expect(scale).toBeGreaterThan(1e-3); // the corruption does move the metric
      for (let i = (L - 1) * perLayer; i < L * perLayer; i++) {
        expect(Math.abs(r.attribution[i] - exact[i]), `${which} cell ${i}`).toBeLessThanOrEqual(1e-5 * scale);
      }
      for (let i = 0; i < (L - 1) * perLayer; i++) nonlinearGap = Math.max(nonlinearGap, Math.abs(r.attribution[i] - exact[i]) / scale);
    }
    // Earlier layers reach the logits through softmax and activations: there the estimate is only approximate.
    expect(nonlinearGap).toBeGreaterThan(1e-3);
  });

  it('a resid_post patch read through a frozen final norm (fixture, gradients with an intervention)', async () => {
    const model = await loadFixtureModel('llama-tiny');
    const ref = loadReference('llama-tiny');
    const patching = ref.methods.activation_patching as GoldenPatching;
    const cleanIds = ref.inputs[0].input_ids;
    const corrIds = patching.corrupted_input_ids;
    const S = cleanIds.length;
    const last = hook.residPost(model.spec.nLayers - 1);
    const c = await run(model, { ids: cleanIds }, { capture: [last] });
    const k = await run(model, { ids: corrIds }, { capture: [last, hook.lnFinalScale] });
    const freeze = { hook: hook.lnFinalScale, op: 'replace' as const, source: 'corrupt' };
    const caches = { corrupt: k.cache, clean: c.cache };
    const metric = logitDiff(patching.clean_token, patching.corrupted_token);
    const g = await gradients(model, { ids: corrIds }, { metric, wrt: [last], interventions: [freeze], caches });
    const d = model.spec.dModel;
    for (const p of [S - 1, 4]) {
      let attribution = 0;
      for (let i = 0; i < d; i++) attribution += (c.cache[last].data[p * d + i] - k.cache[last].data[p * d + i]) * g.grads[last].data[p * d + i];
      const patched = await run(model, { ids: corrIds }, { interventions: [freeze, { hook: last, op: 'replace', source: 'clean', pos: p }], caches, logits: 'last' });
      const exact = metric.evaluate(patched.logits!).value - g.value;
      expect(Math.abs(attribution - exact), `position ${p}`).toBeLessThan(1e-5 * (1 + Math.abs(exact)));
      if (p === S - 1) expect(Math.abs(exact)).toBeGreaterThan(0.1);
      else expect(exact).toBe(0);
    }
  });

  it('pearson', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(pearson([1, 0, -1, 0], [0, 1, 0, -1])).toBeCloseTo(0, 12);
  });
});
