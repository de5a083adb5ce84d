/**
 * The TopK trainer: it recovers a planted dictionary (activations built as sparse non-negative
 * combinations of known unit directions: mean max-cosine ≥ 0.95), a resumed run equals an
 * uninterrupted one bit for bit, cancel returns the state so far, and the result round-trips
 * through the SAELens writer and reader.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { seededRandom } from '../../gpu/random.ts';
import { MemorySource } from '../formats/memory-source.ts';
import { loadSaeLens } from './saelens.ts';
import { saeLensFiles } from './saelens-writer.ts';
import type { TrainConfig, TrainData } from './train.ts';
import { DEFAULT_TRAIN, trainedDictionary, trainTopK } from './train.ts';

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
    const { state } = await trainTopK(backend, data, config, { onProgress: (p) => losses.push(p.loss) });
    expect(losses).toHaveLength(config.steps);
    const score = meanMaxCosine(directions, state.params.decoder, 16);
    console.log(`planted dictionary: mean max-cosine ${score.toFixed(4)}, final mse ${losses.at(-1)!.toExponential(3)}`);
    expect(score).toBeGreaterThanOrEqual(0.95);
    // Untrained (random) decoder rows are far from the planted ones: the check can fail.
    const untrained = await trainTopK(backend, data, { ...config, steps: 0 });
    expect(meanMaxCosine(directions, untrained.state.params.decoder, 16)).toBeLessThan(0.8);
  });

  it('resumes to exactly the uninterrupted result; cancel returns the state so far', async () => {
    const short = { ...config, steps: 30 };
    const whole = await trainTopK(backend, data, short);
    const controller = new AbortController();
    const first = await trainTopK(backend, data, short, {
      signal: controller.signal,
      onProgress: (p) => p.step === 12 && controller.abort(),
    });
    expect(first.cancelled).toBe(true);
    expect(first.state.step).toBe(12);
    const rest = await trainTopK(backend, data, short, { resume: first.state });
    expect(rest.cancelled).toBe(false);
    expect(rest.state.step).toBe(30);
    expect([...rest.state.params.decoder]).toEqual([...whole.state.params.decoder]);
    expect([...rest.state.params.bEnc]).toEqual([...whole.state.params.bEnc]);
  });

  it('saves in SAELens format and reads back the same dictionary', async () => {
    const { state } = await trainTopK(backend, data, { ...config, steps: 5 });
    const dict = trainedDictionary(state, data, { label: 'planted', hookIn: 'blocks.0.hook_resid_post', hookOut: 'blocks.0.hook_resid_post', k: 3, modelName: null });
    const back = await loadSaeLens(new MemorySource('written', saeLensFiles(dict)));
    expect(back.config).toMatchObject({ architecture: 'topk', k: 3, dIn: 16, dSae: 32, applyBDecToInput: true, kind: 'sae' });
    expect([...(back.weights.encoder.data as Float32Array)]).toEqual([...state.params.encoder]);
    expect([...(back.weights.decoder.data as Float32Array)]).toEqual([...state.params.decoder]);
    const transcoder = trainedDictionary(state, data, { label: 't', hookIn: 'blocks.0.ln2.hook_normalized', hookOut: 'blocks.0.hook_mlp_out', k: 3, modelName: null });
    const tBack = await loadSaeLens(new MemorySource('written-t', saeLensFiles(transcoder)));
    expect(tBack.config).toMatchObject({ kind: 'transcoder', hookOut: 'blocks.0.hook_mlp_out', applyBDecToInput: false, dOut: 16 });
  });
});
