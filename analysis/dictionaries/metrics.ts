/**
 * Quality of a dictionary on a set of inputs (every position counts, BOS included):
 *   mse                 mean over positions and dimensions of (target − reconstruction)²
 *   fvu                 Σ error² / Σ (target − mean target)², the mean taken over all positions
 *   explainedVariance   1 − fvu
 *   meanL0              mean number of active features per position
 *   deadFraction        features active at no position / d_sae
 *   ceLossRecovered     (CE_zero − CE_spliced) / (CE_zero − CE_clean): CE_spliced with the
 *                       reconstruction in place of the output hook's activation, CE_zero with
 *                       that activation zeroed (losses: mean next-token cross-entropy over all
 *                       predicted tokens of all inputs)
 */
import { dictionaryHook } from './dictionary.ts';
import type { Dictionary } from './device.ts';
import type { Model } from '../model/model.ts';
import { run } from '../model/run.ts';

export interface DictionaryMetrics {
  readonly positions: number;
  readonly mse: number;
  readonly fvu: number;
  readonly explainedVariance: number;
  readonly meanL0: number;
  readonly deadFraction: number;
  readonly ceClean: number;
  readonly ceSpliced: number;
  readonly ceZeroAblated: number;
  readonly ceLossRecovered: number;
}

export interface MetricsOptions {
  /** Called after each input with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Checked between inputs. */
  readonly signal?: AbortSignal;
}

export async function dictionaryMetrics(model: Model, dict: Dictionary, inputs: readonly (readonly number[])[], options: MetricsOptions = {}): Promise<DictionaryMetrics> {
  const { hookOut, dSae, dOut } = dict.config;
  const acts = dictionaryHook.actsPost(hookOut);
  const recons = dictionaryHook.recons(hookOut);
  const fired = new Uint8Array(dSae);
  let positions = 0;
  let l0 = 0;
  let sqErr = 0;
  const sum = new Float64Array(dOut);
  const sumSq = new Float64Array(dOut);
  const losses = { clean: 0, spliced: 0, zero: 0 };
  let predicted = 0;
  for (const [i, ids] of inputs.entries()) {
    options.signal?.throwIfAborted();
    const observed = await run(model, { ids }, { capture: [acts, recons, hookOut], dictionaries: [{ dictionary: dict, splice: false }] });
    const a = observed.cache[acts].data;
    const r = observed.cache[recons].data;
    const t = observed.cache[hookOut].data;
    const S = ids.length;
    for (let p = 0; p < S; p++) {
      for (let f = 0; f < dSae; f++) {
        if (a[p * dSae + f] !== 0) {
          l0++;
          fired[f] = 1;
        }
      }
      for (let o = 0; o < dOut; o++) {
        const v = t[p * dOut + o];
        sqErr += (v - r[p * dOut + o]) ** 2;
        sum[o] += v;
        sumSq[o] += v * v;
      }
    }
    positions += S;
    options.onProgress?.(i + 1, inputs.length);
    const spliced = await run(model, { ids }, { dictionaries: [{ dictionary: dict }] });
    const zeroed = await run(model, { ids }, { interventions: [{ hook: hookOut, op: 'zero' }] });
    const n = S - 1;
    if (n === 0) continue; // a single token predicts nothing
    losses.clean += observed.loss! * n;
    losses.spliced += spliced.loss! * n;
    losses.zero += zeroed.loss! * n;
    predicted += n;
  }
  if (positions === 0) throw new Error('dictionary metrics need at least one input');
  // Σ (x − x̄)² = Σ x² − (Σ x)²/N per dimension (float64 sums over at most a few hundred thousand values).
  let total = 0;
  for (let o = 0; o < dOut; o++) total += sumSq[o] - (sum[o] * sum[o]) / positions;
  const fvu = sqErr / total;
  const ceClean = losses.clean / predicted;
  const ceSpliced = losses.spliced / predicted;
  const ceZeroAblated = losses.zero / predicted;
  return {
    positions,
    mse: sqErr / (positions * dOut),
    fvu,
    explainedVariance: 1 - fvu,
    meanL0: l0 / positions,
    deadFraction: fired.reduce((n, v) => n + (v ? 0 : 1), 0) / dSae,
    ceClean,
    ceSpliced,
    ceZeroAblated,
    ceLossRecovered: (ceZeroAblated - ceSpliced) / (ceZeroAblated - ceClean),
  };
}
