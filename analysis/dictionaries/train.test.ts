/**
 * The TopK and JumpReLU trainers: each recovers a planted dictionary (activations built as sparse
 * non-negative combinations of known unit directions: mean max-cosine ≥ 0.95; JumpReLU's L0 near
 * the planted 3), a resumed run equals an uninterrupted one bit for bit, cancel returns the state
 * so far, and the result round-trips through the SAELens writer and reader. JumpReLU's threshold
 * pseudo-gradient is checked against the closed form on a hand-worked example.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import type { Tensor } from '../../gpu/backend.ts';
import { seededRandom } from '../../gpu/random.ts';
import { MemorySource } from '../formats/memory-source.ts';
import { activate, dictionaryOnBackend, encode } from './device.ts';
import { loadSaeLens } from './saelens.ts';
import { saeLensFiles } from './saelens-writer.ts';
import type { JumpReLUTrainConfig, TrainConfig, TrainData, TrainState } from './train.ts';
import { DEFAULT_JUMPRELU, DEFAULT_TRAIN, jumpReLU, jumpReLUBackward, trainDictionary, trainedDictionary } from './train.ts';

const backend = createCpuBackend();

/** n rows in d dims, each Σ of `active` of m random unit directions with weights in [0.5, 1.5]. */
function planted(m: number, d: number, n: number, active: number, seed: number): { data: TrainData; directions: Float32Array } {
  const next = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const directions = new Float32Array(m * d);
  for (let i = 0; i < m; i++) {
    let norm = 0;
    for (let j = 0; j < d; j++) norm += (directions[i * d + j] = gauss()) ** 2;
    for (let j = 0; j < d; j++) directions[i * d + j] /= Math.sqrt(norm);
  }
  const inputs = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    const chosen = new Set<number>();
    while (chosen.size < active) chosen.add(Math.floor(next() * m));
    for (const i of chosen) {
      const c = 0.5 + next();
      for (let j = 0; j < d; j++) inputs[r * d + j] += c * directions[i * d + j];
    }
  }
  return { data: { inputs, n, dIn: d, dOut: d }, directions };
}

/** Mean over true directions of the best cosine with any learned decoder row. */
function meanMaxCosine(directions: Float32Array, decoder: Float32Array, d: number): number {
  const m = directions.length / d;
  const k = decoder.length / d;
  let total = 0;
  for (let i = 0; i < m; i++) {
    let best = -1;
    for (let f = 0; f < k; f++) {
      let dot = 0;
      let norm = 0;
      for (let j = 0; j < d; j++) {
        dot += directions[i * d + j] * decoder[f * d + j];
        norm += decoder[f * d + j] ** 2;
      }
      best = Math.max(best, dot / Math.sqrt(norm));
    }
    total += best;
  }
  return total / m;
}

describe('TopK trainer', () => {
  const { data, directions } = planted(24, 16, 4096, 3, 1);
  const config: TrainConfig = { ...DEFAULT_TRAIN, dSae: 32, k: 3, steps: 1200, batchSize: 128, lr: 3e-3, deadAfterSteps: 50, seed: 4 };

  it('recovers a planted dictionary (mean max-cosine ≥ 0.95)', async () => {
    const losses: number[] = [];
    const { state } = await trainDictionary(backend, data, config, { onProgress: (p) => losses.push(p.loss) });
    expect(losses).toHaveLength(config.steps);
    const score = meanMaxCosine(directions, state.params.decoder, 16);
    console.log(`planted dictionary: mean max-cosine ${score.toFixed(4)}, final mse ${losses.at(-1)!.toExponential(3)}`);
    expect(score).toBeGreaterThanOrEqual(0.95);
    // Untrained (random) decoder rows are far from the planted ones: the check can fail.
    const untrained = await trainDictionary(backend, data, { ...config, steps: 0 });
    expect(meanMaxCosine(directions, untrained.state.params.decoder, 16)).toBeLessThan(0.8);
  });

  it('resumes to exactly the uninterrupted result; cancel returns the state so far', async () => {
    const short = { ...config, steps: 30 };
    const whole = await trainDictionary(backend, data, short);
    const controller = new AbortController();
    const first = await trainDictionary(backend, data, short, {
      signal: controller.signal,
      onProgress: (p) => p.step === 12 && controller.abort(),
    });
    expect(first.cancelled).toBe(true);
    expect(first.state.step).toBe(12);
    const rest = await trainDictionary(backend, data, short, { resume: first.state });
    expect(rest.cancelled).toBe(false);
    expect(rest.state.step).toBe(30);
    expect([...rest.state.params.decoder]).toEqual([...whole.state.params.decoder]);
    expect([...rest.state.params.bEnc]).toEqual([...whole.state.params.bEnc]);
  });

  it('saves in SAELens format and reads back the same dictionary', async () => {
    const { state } = await trainDictionary(backend, data, { ...config, steps: 5 });
    const dict = trainedDictionary(state, data, config, { label: 'planted', hookIn: 'blocks.0.hook_resid_post', hookOut: 'blocks.0.hook_resid_post', modelName: null });
    const back = await loadSaeLens(new MemorySource('written', saeLensFiles(dict)));
    expect(back.config).toMatchObject({ architecture: 'topk', k: 3, dIn: 16, dSae: 32, applyBDecToInput: true, kind: 'sae' });
    expect([...(back.weights.encoder.data as Float32Array)]).toEqual([...state.params.encoder]);
    expect([...(back.weights.decoder.data as Float32Array)]).toEqual([...state.params.decoder]);
    const transcoder = trainedDictionary(state, data, config, { label: 't', hookIn: 'blocks.0.ln2.hook_normalized', hookOut: 'blocks.0.hook_mlp_out', modelName: null });
    const tBack = await loadSaeLens(new MemorySource('written-t', saeLensFiles(transcoder)));
    expect(tBack.config).toMatchObject({ kind: 'transcoder', hookOut: 'blocks.0.hook_mlp_out', applyBDecToInput: false, dOut: 16 });
  });
});

/** The trained module's encode, as the trainer computes it: JumpReLU(W_enc·(x − b_dec) + b_enc, exp(log θ)). */
function trainedJumpReLUActs(state: TrainState, x: Tensor, dIn: number): Tensor {
  const b = backend;
  const { encoder, bEnc, bDec, logThreshold } = state.params;
  const dSae = bEnc.length;
  const pre = b.linear(b.sub(x, b.upload(bDec, [dIn])), b.upload(encoder, [dSae, dIn]), b.upload(bEnc, [dSae]));
  return jumpReLU(b, pre, b.unary(b.upload(logThreshold!, [dSae]), 'exp'));
}

describe('JumpReLU trainer', () => {
  const { data, directions } = planted(24, 16, 4096, 3, 1);
  // ε and θ₀ in the units of these activations (pre-activations of a present direction are 0.5–1.5).
  const config: JumpReLUTrainConfig = {
    ...DEFAULT_TRAIN,
    ...DEFAULT_JUMPRELU,
    dSae: 32,
    steps: 1200,
    batchSize: 128,
    lr: 3e-3,
    deadAfterSteps: 50,
    seed: 4,
    l0Coefficient: 0.15,
    bandwidth: 0.2,
    initThreshold: 0.3,
  };
  const rows = 1024;
  const x = backend.upload(data.inputs.subarray(0, rows * 16), [rows, 16]);
  const meanL0 = async (acts: Tensor): Promise<number> => {
    const [a] = await backend.read([acts]);
    return a.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0) / rows;
  };

  it('recovers a planted dictionary (mean max-cosine ≥ 0.95) with L0 near the planted 3', async () => {
    const { state } = await trainDictionary(backend, data, config);
    const score = meanMaxCosine(directions, state.params.decoder, 16);
    const l0 = await meanL0(trainedJumpReLUActs(state, x, 16));
    console.log(`planted dictionary (JumpReLU): mean max-cosine ${score.toFixed(4)}, mean L0 ${l0.toFixed(2)}, final mse ${state.lastLoss.toExponential(3)}`);
    expect(score).toBeGreaterThanOrEqual(0.95);
    expect(l0).toBeGreaterThan(2.5);
    expect(l0).toBeLessThan(3.5);
    // The L0 penalty is what makes it sparse: a tenth of λ leaves many more features on.
    const weak = await trainDictionary(backend, data, { ...config, steps: 300, l0Coefficient: 0.015 });
    expect(await meanL0(trainedJumpReLUActs(weak.state, x, 16))).toBeGreaterThan(5);
  });

  it('threshold pseudo-gradient: the rectangle-kernel closed form on a hand-worked example', async () => {
    // pre − θ: row 0 (0.2, 0.02), row 1 (0.01, −1.1); ε = 0.1, so only |pre − θ| < 0.05 counts.
    const b = backend;
    const pre = b.upload(Float32Array.of(0.5, 0.12, 0.31, -1), [2, 2]);
    const theta = b.upload(Float32Array.of(0.3, 0.1), [2]);
    const dActs = b.upload(Float32Array.of(1, 2, 3, 4), [2, 2]);
    const { dPre, dLogThreshold } = jumpReLUBackward(b, pre, theta, dActs, 0.5, 0.1);
    const [gPre, gLog] = await b.read([dPre, dLogThreshold]);
    // dPre = dActs where pre > θ: (1, 2; 3, 0).
    expect([...gPre]).toEqual([1, 2, 3, 0]);
    // d log θ_f = θ_f · Σ_rows −(1/ε)·K·(θ_f·dActs + 0.5):
    //   f0: only row 1 in the kernel → 0.3 · −10 · (0.3·3 + 0.5) = −4.2
    //   f1: only row 0 in the kernel → 0.1 · −10 · (0.1·2 + 0.5) = −0.7
    const t0 = Math.fround(0.3);
    const t1 = Math.fround(0.1);
    expect(gLog[0]).toBeCloseTo(t0 * -10 * (t0 * 3 + 0.5), 5);
    expect(gLog[1]).toBeCloseTo(t1 * -10 * (t1 * 2 + 0.5), 5);
    expect(gLog[0]).toBeCloseTo(-4.2, 5);
    expect(gLog[1]).toBeCloseTo(-0.7, 5);
  });

  it('resumes to exactly the uninterrupted result', async () => {
    const short = { ...config, steps: 20, deadAfterSteps: 3, preActCoefficient: 0.01 };
    const whole = await trainDictionary(backend, data, short);
    const controller = new AbortController();
    const first = await trainDictionary(backend, data, short, { signal: controller.signal, onProgress: (p) => p.step === 7 && controller.abort() });
    expect(first.cancelled).toBe(true);
    const rest = await trainDictionary(backend, data, short, { resume: first.state });
    expect([...rest.state.params.logThreshold!]).toEqual([...whole.state.params.logThreshold!]);
    expect([...rest.state.params.encoder]).toEqual([...whole.state.params.encoder]);
  });

  it('saves as SAELens jumprelu (threshold = exp(log θ)); the reloaded encode equals the trained one', async () => {
    const { state } = await trainDictionary(backend, data, { ...config, steps: 40 });
    const dict = trainedDictionary(state, data, config, { label: 'planted-jr', hookIn: 'blocks.0.hook_resid_post', hookOut: 'blocks.0.hook_resid_post', modelName: null });
    const back = await loadSaeLens(new MemorySource('written-jr', saeLensFiles(dict)));
    expect(back.config).toMatchObject({ architecture: 'jumprelu', activation: 'jumprelu', kind: 'sae', k: null, applyBDecToInput: true, dSae: 32 });
    const onBackend = dictionaryOnBackend(back, backend);
    const enc = encode(backend, onBackend, x);
    const [loaded, trained] = await backend.read([activate(backend, onBackend, enc.hiddenPre, enc.saeIn), trainedJumpReLUActs(state, x, 16)]);
    expect(trained.some((v) => v !== 0)).toBe(true);
    expect([...loaded]).toEqual([...trained]);
    const transcoder = trainedDictionary(state, data, config, { label: 't', hookIn: 'blocks.0.ln2.hook_normalized', hookOut: 'blocks.0.hook_mlp_out', modelName: null });
    const tBack = await loadSaeLens(new MemorySource('written-jrt', saeLensFiles(transcoder)));
    expect(tBack.config).toMatchObject({ architecture: 'jumprelu_transcoder', kind: 'transcoder', hookOut: 'blocks.0.hook_mlp_out' });
    expect([...(tBack.weights.threshold!.data as Float32Array)]).toEqual([...state.params.logThreshold!.map(Math.exp)]);
  });
});
