/**
 * Activation and attribution patching with the metric's default tokens (no answer or wrong token
 * given, as the app's views run them): the runs that pick them come first and are in the plan, so
 * the reports are 0/N … N/N, N/N for the whole run (before, they reported 1 of 1, 2 of 2, then
 * restarted against the sweep's plan).
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { modelOnBackend } from '../model/model.ts';
import { randomWeights, smallSpec } from '../model/random.ts';
import { exactPlan, runWithReports } from '../../test/progress-reports.ts';

const spec = smallSpec('gpt2');
const clean = [3, 17, 42, 5, 9, 33, 2, 61];
/** Differs at position 0 only: no patched cell is a no-op. */
const corrupt = [4, ...clean.slice(1)];

async function reports(method: string, params: Record<string, unknown>, prompts: number[][]): Promise<[number, number][]> {
  const model = modelOnBackend({ label: 'random-gpt2', spec, weights: randomWeights(spec, 11), tokenizer: null }, createCpuBackend());
  return (await runWithReports(model, method, params, prompts)).reports;
}

describe("the metric's default tokens are planned with the rest", () => {
  it('activation patching: the answer and wrong-token runs, then the sweep (per layer: 2 full runs, one call per layer, one tail chunk)', async () => {
    expect(exactPlan(await reports('activation-patching', { hook: 'resid_pre', byPosition: false }, [clean, corrupt]))).toBe(2 + 2 + spec.nLayers + 1);
    expect(exactPlan(await reports('activation-patching', { hook: 'resid_pre', byPosition: false, answer: 7 }, [clean, corrupt]))).toBe(1 + 2 + spec.nLayers + 1);
  });

  it('attribution patching: the answer run (noise has no wrong-token run), then its 4 passes', async () => {
    expect(exactPlan(await reports('attribution-patching', { hook: 'attn_out', exact: false, corrupted: { noise: { positions: [0], sigma: 0.5 } } }, [clean]))).toBe(1 + 4);
  });
});
