/**
 * Phi-3 longrope / su scaling with transformers' semantics (modeling_rope_utils.py
 * `_compute_longrope_parameters` + `dynamic_rope_update`): inv_freq_j = 1 / (ext_j · theta^(2j/dim))
 * with ext = long_factor when the call's largest position + 1 exceeds
 * original_max_position_embeddings, short_factor otherwise; cos/sin × attention factor.
 * Expected values come from those formulas in float64 here, never from our own output: the
 * frequencies, a float64 forward (test/f64-forward.ts with explicit frequencies) for the logits,
 * its finite differences for the backward pass and the linear pass (LinearScope's tangent map),
 * and an explicit rotation for KV-cached steps. Each pass's check fails with the other factors.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../analysis/formats/config.ts';
import { gradients } from '../analysis/grad/gradients.ts';
import { logitDiff } from '../analysis/grad/metric.ts';
import { hook } from '../analysis/hooks/points.ts';
import { generate } from '../analysis/model/generate.ts';
import { recordLinearScope } from '../analysis/methods/linearscope.ts';
import { createCpuBackend } from '../gpu/cpu/backend.ts';
import { layerRope, scaledInverseFrequencies } from '../analysis/model/rope.ts';
import { run } from '../analysis/model/run.ts';
import { forward64, type RopeOverride } from './f64-forward.ts';
import { LONGROPE, longropeConfig, longropeModel } from './longrope-model.ts';
import { FIXTURES, loadReference, worstMismatch } from './reference.ts';

const { theta: THETA, rotaryDims: ROTARY, short: SHORT, long: LONG, originalMax: ORIGINAL, max: MAX } = LONGROPE;
const phi3 = JSON.parse(readFileSync(`${FIXTURES}phi3-tiny/config.json`, 'utf8')) as Record<string, unknown>;

/** inv_freq_j = 1 / (ext_j · theta^(2j/dim)), float64 then rounded to f32 like the torch buffer. */
const expectedFreqs = (ext: readonly number[]): number[] => ext.map((e, j) => Math.fround(1 / (e * Math.pow(THETA, (2 * j) / ROTARY))));
/** Default attention factor: sqrt(1 + ln(max/original) / ln(original)). */
const DEFAULT_AMPLITUDE = Math.sqrt(1 + Math.log(MAX / ORIGINAL) / Math.log(ORIGINAL));

describe('longrope frequencies (hand-computed from the transformers formula)', () => {
  const scaling = parseConfig(longropeConfig()).layers![0].ropeScaling!;

  it('short factors up to original_max_position_embeddings, long factors past it', () => {
    const atOriginal = scaledInverseFrequencies(THETA, ROTARY, scaling, ORIGINAL);
    const pastOriginal = scaledInverseFrequencies(THETA, ROTARY, scaling, ORIGINAL + 1);
    expect(Array.from(atOriginal.invFreq)).toEqual(expectedFreqs(SHORT));
    expect(Array.from(pastOriginal.invFreq)).toEqual(expectedFreqs(LONG));
    expect(atOriginal.amplitude).toBeCloseTo(DEFAULT_AMPLITUDE, 12);
    expect(pastOriginal.amplitude).toBeCloseTo(DEFAULT_AMPLITUDE, 12);
  });

  it('the sequence length is the call’s largest position + 1 (a cached step at position 4 is past 4)', () => {
    const attn = { window: null, ropeTheta: THETA, ropeScaling: scaling };
    const freqs = (positions: number[]) => Array.from(layerRope(attn, ROTARY, Int32Array.from(positions)).freqs!.invFreq);
    expect(freqs([0, 1, 2, 3])).toEqual(expectedFreqs(SHORT));
    expect(freqs([3])).toEqual(expectedFreqs(SHORT));
    expect(freqs([4])).toEqual(expectedFreqs(LONG));
    expect(freqs([0, 1, 2, 3, 4, 5])).toEqual(expectedFreqs(LONG));
  });

  it('attention_factor and factor from the config replace the default; v5 rope_parameters read the same', () => {
    const given = parseConfig(longropeConfig({ attention_factor: 1.25 })).layers![0].ropeScaling!;
    expect(scaledInverseFrequencies(THETA, ROTARY, given, 1).amplitude).toBe(1.25);
    const factor = parseConfig(longropeConfig({ factor: 2 })).layers![0].ropeScaling!;
    expect(scaledInverseFrequencies(THETA, ROTARY, factor, 1).amplitude).toBeCloseTo(Math.sqrt(1 + Math.log(2) / Math.log(ORIGINAL)), 12);
    const v5 = { ...phi3, max_position_embeddings: MAX, rope_scaling: undefined, rope_parameters: { rope_type: 'longrope', rope_theta: THETA, short_factor: SHORT, long_factor: LONG, original_max_position_embeddings: ORIGINAL } };
    expect(parseConfig(v5).layers![0].ropeScaling).toEqual(scaling);
  });

  it('the context is max_position_embeddings (no refusal past the original context)', () => {
    expect(parseConfig(longropeConfig()).nCtx).toBe(MAX);
  });
});

describe('longrope config errors name the field', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['long_factor of the wrong length', { long_factor: [1, 2, 3] }, 'rope_scaling.long_factor must list 6 positive numbers (one per rotary frequency, rotary dims 12); got 3 entries'],
    ['a non-positive short factor', { short_factor: [1, 2, 0, 4, 5, 6] }, 'rope_scaling.short_factor must list 6 positive numbers'],
    ['a missing long_factor', { long_factor: undefined }, 'rope_scaling.long_factor must list 6 positive numbers'],
  ])('%s', (_what, change, message) => {
    expect(() => parseConfig(longropeConfig(change))).toThrow(message);
  });

  it('no original_max_position_embeddings anywhere', () => {
    const { original_max_position_embeddings: _dropped, ...rest } = longropeConfig();
    expect(() => parseConfig(rest)).toThrow('rope_scaling.original_max_position_embeddings is missing');
  });
});

const ids = loadReference('phi3-tiny').inputs[0].input_ids;
const short: RopeOverride = { invFreq: expectedFreqs(SHORT), amplitude: DEFAULT_AMPLITUDE };
const long: RopeOverride = { invFreq: expectedFreqs(LONG), amplitude: DEFAULT_AMPLITUDE };

describe('longrope in the forward, backward and KV-cached passes (CPU backend)', () => {
  it('forward: a sequence within the original context uses the short factors, a longer one the long factors', async () => {
    const { model, weights } = await longropeModel(createCpuBackend());
    for (const [seq, used, other] of [[ids.slice(0, ORIGINAL), short, long], [ids.slice(0, 7), long, short]] as const) {
      const logits = (await run(model, { ids: seq })).logits!.data;
      expect(worstMismatch(logits, forward64(model.spec, weights, seq, undefined, used)), `${seq.length} tokens`).toBeNull();
      // The other set of factors really gives other logits.
      expect(worstMismatch(logits, forward64(model.spec, weights, seq, undefined, other))).not.toBeNull();
    }
  });

  it('backward past the original context: d(logit diff)/d resid_pre 0 matches float64 finite differences with the long factors', async () => {
    const { model, weights } = await longropeModel(createCpuBackend());
    const seq = ids.slice(0, 7);
    const [a, b] = [5, 9];
    const g = (await gradients(model, { ids: seq }, { metric: logitDiff(a, b), wrt: [hook.residPre(0)] })).grads[hook.residPre(0)].data;
    const V = model.spec.dVocab;
    const last = (seq.length - 1) * V;
    const metric = (u: Float64Array, eps: number, rope: RopeOverride): number => {
      const logits = forward64(model.spec, weights, seq, (name, x) => (name === hook.residPre(0) ? x.map((v, i) => v + eps * u[i]) : undefined), rope);
      return logits[last + a] - logits[last + b];
    };
    for (const seed of [1, 2]) {
      const u = Float64Array.from({ length: g.length }, (_, i) => Math.sin(seed * 12.9898 * (i + 1)));
      const gu = g.reduce((s, v, i) => s + v * u[i], 0);
      const fd = (rope: RopeOverride) => (metric(u, 1e-4, rope) - metric(u, -1e-4, rope)) / 2e-4;
      expect(Math.abs(gu - fd(long))).toBeLessThanOrEqual(1e-3 * Math.abs(fd(long)) + 1e-5);
      expect(Math.abs(gu - fd(short))).toBeGreaterThan(1e-3 * Math.abs(fd(short)) + 1e-5);
    }
  });

  it('linear pass (LinearScope tangent map) past the original context: J·dx matches float64 finite differences with the long factors', async () => {
    const { model, weights } = await longropeModel(createCpuBackend());
    const seq = ids.slice(0, 7);
    const scope = await recordLinearScope(model, { ids: seq }, { mode: 'tangent' });
    const x0 = scope.x0.data;
    const n = x0.length;
    const dx = Float32Array.from({ length: n }, (_, i) => Math.sin(7.31 * (i + 1)));
    const [moved, still] = [await scope.replay({ shape: [seq.length, n / seq.length], data: x0.map((v, i) => v + dx[i]) }), await scope.replay({ shape: [seq.length, n / seq.length], data: x0 })];
    scope.release();
    const jdx = moved.data.map((v, i) => v - still.data[i]);
    const fd = (rope: RopeOverride) => {
      const f = (sign: number) => forward64(model.spec, weights, seq, (name, x) => (name === hook.residPre(0) ? x.map((v, i) => v + sign * 1e-4 * dx[i]) : undefined), rope);
      const [fp, fm] = [f(1), f(-1)];
      return fp.map((v, i) => (v - fm[i]) / 2e-4);
    };
    const within = (ref: Float64Array) => {
      const scale = Math.max(...Array.from(ref, Math.abs));
      return jdx.every((v, i) => Math.abs(v - ref[i]) <= 1e-3 * scale);
    };
    expect(within(fd(long))).toBe(true);
    expect(within(fd(short))).toBe(false);
  });

  it('KV-cached generation mirrors transformers: each step rotates its own keys with the factors of its largest position + 1', async () => {
    const { model } = await longropeModel(createCpuBackend());
    const prompt = ids.slice(0, 3);
    const r = await generate(model, { ids: prompt }, { maxNewTokens: 3, stopTokens: [], capture: [hook.k(0), hook.rotK(0)] });
    const firstPositions = [0, 3, 4]; // prompt 0..2 (length 3: short), step at 3 (length 4: short), step at 4 (length 5: long)
    r.steps.forEach((step, i) => {
      const k = step[hook.k(0)];
      const nPos = k.shape[1];
      const rope = firstPositions[i] + nPos > ORIGINAL ? long : short;
      const other = rope === long ? short : long;
      expect(worstMismatch(step[hook.rotK(0)].data, rotate(k.data, nPos, firstPositions[i], rope)), `step ${i}`).toBeNull();
      expect(worstMismatch(step[hook.rotK(0)].data, rotate(k.data, nPos, firstPositions[i], other)), `step ${i} (other factors)`).not.toBeNull();
    });
  });
});

/** k [1, nPos, heads, 16] rotated (rotate_half on the first 12 dims) at positions first.., float64. */
function rotate(k: ArrayLike<number>, nPos: number, first: number, rope: RopeOverride): Float64Array {
  const x = Float64Array.from(k);
  const dHead = 16;
  const half = ROTARY / 2;
  const out = Float64Array.from(x);
  const heads = x.length / (nPos * dHead);
  for (let p = 0; p < nPos; p++) {
    for (let j = 0; j < half; j++) {
      const angle = (first + p) * rope.invFreq[j];
      const [c, s] = [rope.amplitude * Math.cos(angle), rope.amplitude * Math.sin(angle)];
      for (let h = 0; h < heads; h++) {
        const o = (p * heads + h) * dHead;
        out[o + j] = x[o + j] * c - x[o + j + half] * s;
        out[o + j + half] = x[o + j + half] * c + x[o + j] * s;
      }
    }
  }
  return out;
}
