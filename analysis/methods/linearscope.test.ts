/**
 * LinearScope: golden (h) on every fixture (secant bias / per_position / replay_at_x0, tangent
 * per_position / sum), and the identities of METHODS.md: replay at x0 = forward, decomposition +
 * bias = logit, ⟨Aᵀv, x⟩ = ⟨v, Ax⟩, and (pure-ReLU toy) tangent map = secant map = the Jacobian.
 */
import { describe, expect, it } from 'vitest';
import type { HostWeight } from '../../gpu/backend.ts';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { forward64 } from '../../test/f64-forward.ts';
import { loadFixtureModel } from '../../test/fixture-model.ts';
import type { FixtureModel } from '../../test/reference.ts';
import { FIXTURE_MODELS, loadReference, maxAbsDiff, worstMismatch } from '../../test/reference.ts';
import { logitDiff, logitDirection } from '../grad/metric.ts';
import { hook } from '../hooks/points.ts';
import type { Model } from '../model/model.ts';
import { modelOnBackend } from '../model/model.ts';
import { gaussian, randomWeights, smallSpec } from '../model/random.ts';
import { run } from '../model/run.ts';
import type { ModelSpec } from '../model/spec.ts';
import type { ModelWeights } from '../model/weights.ts';
import type { LinearScopeMode } from './linearscope.ts';
import { linearScope, recordLinearScope } from './linearscope.ts';

interface GoldenLinearScope {
  position: number;
  target_token: number;
  real_logit: number;
  bias: number;
  per_position: number[];
  per_position_sum: number;
  replay_at_x0: number;
  tangent_per_position: number[];
  tangent_sum: number;
}

describe.each(FIXTURE_MODELS)('golden (h) linearscope: %s', (name: FixtureModel) => {
  it('secant bias, per_position, replay at x0; tangent per_position and sum', async () => {
    const ref = loadReference(name);
    const golden = ref.methods.linearscope as GoldenLinearScope;
    const model = await loadFixtureModel(name);
    const ids = ref.inputs[0].input_ids;
    const secant = await linearScope(model, { ids }, { target: golden.target_token, position: golden.position, decodeTopK: 3 });
    const tangent = await linearScope(model, { ids }, { target: golden.target_token, position: golden.position, mode: 'tangent', decodeTopK: 3 });
    const scalars = [
      [secant.logit, golden.real_logit],
      [secant.bias, golden.bias],
      [secant.perPosition.reduce((a, v) => a + v, 0), golden.per_position_sum],
      [secant.replay, golden.replay_at_x0],
      [tangent.perPosition.reduce((a, v) => a + v, 0), golden.tangent_sum],
    ];
    expect(worstMismatch(scalars.map((s) => s[0]), scalars.map((s) => s[1]))).toBeNull();
    expect(worstMismatch(secant.perPosition, golden.per_position)).toBeNull();
    expect(worstMismatch(tangent.perPosition, golden.tangent_per_position)).toBeNull();
    const e = (a: number[], b: number[]) => maxAbsDiff(a, b).toExponential(2);
    console.log(`${name} max |Δ|: scalars ${e(scalars.map((s) => s[0]), scalars.map((s) => s[1]))}, per_position ${e(secant.perPosition, golden.per_position)}, tangent ${e(tangent.perPosition, golden.tangent_per_position)}`);
    expect(secant.decoded).toHaveLength(ids.length);
    expect(secant.decoded[0].top).toHaveLength(3);
  });
});

const TYPES: ModelSpec['modelType'][] = ['gpt2', 'gpt_neox', 'llama', 'qwen2'];
const ids = [3, 17, 42, 5, 9, 33, 2, 61];

function small(type: ModelSpec['modelType']): Model {
  const spec = smallSpec(type);
  return modelOnBackend({ label: `random-${type}`, spec, weights: randomWeights(spec, 3, 0.3), tokenizer: null }, createCpuBackend());
}

function randomArray(n: number, seed: number): Float32Array {
  const g = gaussian(seed);
  return Float32Array.from({ length: n }, () => g());
}

describe.each(TYPES)('linearscope identities: %s', (type) => {
  const model = small(type);
  const starts = [hook.residPre(0), type === 'gpt_neox' ? hook.residPre(1) : hook.residMid(1)];

  it('secant replay at x0 equals the forward (every logit, 1e-5)', async () => {
    for (const start of starts) {
      const scope = await recordLinearScope(model, { ids }, { start });
      const replay = await scope.replay(scope.x0);
      const real = await run(model, { ids });
      scope.release();
      for (let i = 0; i < real.logits!.data.length; i++) {
        expect(Math.abs(replay.data[i] - real.logits!.data[i]), `${start} logit ${i}`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(real.logits!.data[i])));
      }
    }
  });

  it.each(['secant', 'tangent'] as LinearScopeMode[])('%s: decomposition + bias sums to the logit (1e-4)', async (mode) => {
    for (const start of starts) {
      const r = await linearScope(model, { ids }, { target: 7, wrong: 12, position: 5, mode, start, decodeTopK: 2 });
      const real = await run(model, { ids });
      const V = model.spec.dVocab;
      const logit = real.logits!.data[5 * V + 7] - real.logits!.data[5 * V + 12];
      expect(Math.abs(r.logit - logit)).toBeLessThan(1e-5);
      const gridSum = r.grid.flat().reduce((a, v) => a + v, 0);
      expect(Math.abs(gridSum + r.bias - logit), start).toBeLessThan(1e-4);
      expect(Math.abs(r.biasTerms.reduce((a, t) => a + t.value, 0) - r.bias)).toBeLessThan(1e-5);
      r.grid.forEach((row, j) => expect(Math.abs(row.reduce((a, v) => a + v, 0) - r.perPosition[j])).toBeLessThan(1e-5));
      // Causality: positions after the target contribute nothing.
      expect(r.perPosition.slice(6).every((v) => v === 0)).toBe(true);
      if (mode === 'secant') expect(Math.abs(r.replay - logit)).toBeLessThan(1e-5);
      expect(r.components[0]).toBe(start === hook.residPre(0) ? 'embed' : start);
    }
  });

  it.each(['secant', 'tangent'] as LinearScopeMode[])('%s: ⟨Aᵀv, x⟩ = ⟨v, Ax⟩ for random v, x (1e-5)', async (mode) => {
    for (const start of starts) {
      const scope = await recordLinearScope(model, { ids }, { mode, start });
      const { dModel: d, dVocab: V } = model.spec;
      const S = ids.length;
      const x = randomArray(S * d, 1);
      const v = randomArray(S * V, 2);
      // A x: secant F(x) − F(0); tangent F(x0 + x) − F(x0) = J x.
      const base = mode === 'secant' ? new Float32Array(S * d) : scope.x0.data;
      const shifted = base.map((b, i) => b + x[i]);
      const [fx, f0] = [await scope.replay({ shape: [S, d], data: shifted }), await scope.replay({ shape: [S, d], data: base })];
      const pulled = await scope.pullBack(logitDirection({ shape: [S, V], data: v }), [start]);
      scope.release();
      let lhs = 0;
      let rhs = 0;
      let mag = 0;
      for (let i = 0; i < S * d; i++) lhs += pulled[start].data[i] * x[i];
      for (let i = 0; i < S * V; i++) {
        rhs += v[i] * (fx.data[i] - f0.data[i]);
        mag += Math.abs(v[i] * (fx.data[i] - f0.data[i]));
      }
      expect(Math.abs(lhs - rhs), `${start}: ⟨Aᵀv, x⟩ ${lhs} vs ⟨v, Ax⟩ ${rhs}`).toBeLessThanOrEqual(1e-5 * mag);
    }
  });
});

describe('linearscope pull-backs', () => {
  it('secant mode refuses hooks that are frozen, naming them', async () => {
    const scope = await recordLinearScope(small('llama'), { ids });
    await expect(scope.pullBack(logitDiff(1, 2), [hook.pattern(0)])).rejects.toThrow(/blocks\.0\.attn\.hook_pattern.*frozen/);
    await expect(scope.pullBack(logitDiff(1, 2), [hook.lnScale(1, 2)])).rejects.toThrow(/hook_scale/);
    const ok = await scope.pullBack(logitDiff(1, 2), [hook.v(0), hook.mlpPreLinear(1)]);
    expect(Object.keys(ok).sort()).toEqual([hook.v(0), hook.mlpPreLinear(1)]);
    scope.release();
  });
  it('rejects a start that is not a residual hook', async () => {
    await expect(recordLinearScope(small('gpt2'), { ids }, { start: hook.attnOut(0) })).rejects.toThrow(/expected a residual-stream hook/);
    await expect(recordLinearScope(small('gpt_neox'), { ids }, { start: hook.residMid(0) })).rejects.toThrow(/no resid_mid/);
  });
});

/**
 * A pure-ReLU network through the same engine: GPT-2 layout with ReLU MLPs, W_O = 0 (attention
 * contributes only its constant b_O) and LayerNorms made linear (ε = 1e16 fixes every scale at
 * 1e8 in float32, gains × 1e8 undo it). The map x → logits is then piecewise affine, so its
 * Jacobian at x0 is the ReLU pattern's linear map: the tangent map (act' = 1[z > 0]) and the
 * secant map (relu(z)/z = 1[z > 0]) must both equal it. The Jacobian comes from central
 * differences of the independent float64 forward (exact for a piecewise-linear map away from kinks).
 */
describe('pure-ReLU toy: tangent map = secant map = Jacobian', () => {
  it('J·dx for random directions dx', async () => {
    const spec = smallSpec('gpt2', { activation: 'relu', normEps: 1e16, nLayers: 3 });
    const weights: ModelWeights<HostWeight> = randomWeights(spec, 9, 0.3);
    for (const blk of weights.blocks) (blk.attn.wO.data as Float32Array).fill(0);
    for (const g of [weights.lnFinal.w, ...weights.blocks.flatMap((b) => [b.ln1!.w, b.ln2!.w])]) (g.data as Float32Array).forEach((v, i, a) => (a[i] = v * 1e8));
    const model = modelOnBackend({ label: 'relu-toy', spec, weights, tokenizer: null }, createCpuBackend());
    const tangent = await recordLinearScope(model, { ids }, { mode: 'tangent' });
    const secant = await recordLinearScope(model, { ids }, { mode: 'secant' });
    const { dModel: d, dVocab: V } = spec;
    const S = ids.length;
    const x0 = tangent.x0.data;
    // Tiny steps: a piecewise-linear map has no truncation error, and no ReLU kink is crossed.
    const h = 1e-7;
    for (let k = 0; k < 3; k++) {
      const dx = randomArray(S * d, 10 + k);
      const jvp = async (scope: typeof tangent, at: Float32Array) => {
        const [a, b] = [await scope.replay({ shape: [S, d], data: at.map((v, i) => v + dx[i]) }), await scope.replay({ shape: [S, d], data: at })];
        return a.data.map((v, i) => v - b.data[i]);
      };
      const jt = await jvp(tangent, x0);
      const js = await jvp(secant, new Float32Array(S * d));
      const f = (sign: number) => forward64(spec, weights, ids, (name, x) => (name === hook.residPre(0) ? x.map((v, i) => v + sign * h * dx[i]) : undefined));
      const [fp, fm] = [f(1), f(-1)];
      const fd = fp.map((v, i) => (v - fm[i]) / (2 * h));
      const scale = Math.max(...Array.from(fd, Math.abs));
      expect(scale).toBeGreaterThan(0.1);
      for (let i = 0; i < S * V; i++) {
        expect(Math.abs(jt[i] - fd[i]), `tangent, logit ${i}`).toBeLessThanOrEqual(1e-6 * scale);
        expect(Math.abs(js[i] - fd[i]), `secant, logit ${i}`).toBeLessThanOrEqual(1e-6 * scale);
      }
    }
    tangent.release();
    secant.release();
  });
});
