/**
 * The progress plan of the patching-style methods equals the forward passes they make: every
 * report of a run whose reusing sweep skips no cell is `done` of the same total N, rising by one
 * per pass from 0 to N, then the final N of N (so a bar neither jumps at its end nor moves its
 * end). N is counted from the passes themselves (one report per read-back), not from the plan.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { createWasmBackend } from '../../gpu/wasm/index.ts';
import type { Backend } from '../../gpu/backend.ts';
import type { StandingInterventions } from '../hooks/standing.ts';
import { modelOnBackend } from '../model/model.ts';
import { randomWeights, smallSpec } from '../model/random.ts';
import { PassMeter } from './passes.ts';
import { exactPlan, runWithReports } from '../../test/progress-reports.ts';

const spec = smallSpec('gpt2');
const clean = [3, 17, 42, 5, 9, 33, 2, 61];
/** Differs from `clean` at position 0 only: every activation of every position differs, so no patch is a no-op. */
const firstChanged = [4, ...clean.slice(1)];

interface Run {
  readonly reports: [number, number][];
  readonly result: { patchedCalls?: number };
}

async function run(method: string, params: Record<string, unknown>, prompts: number[][], backend: Backend = createCpuBackend(), standing?: StandingInterventions): Promise<Run> {
  const plain = modelOnBackend({ label: 'random-gpt2', spec, weights: randomWeights(spec, 11), tokenizer: null }, backend);
  const { reports, result } = await runWithReports(standing ? { ...plain, standing } : plain, method, { answer: 7, wrong: 30, ...params }, prompts);
  return { reports, result: result as Run['result'] };
}


const { nLayers: L, nHeads: H } = spec;

describe('patching progress plans the passes made', () => {
  it('full [layer, pos] grid: 2 full runs + one call per cell + one tail chunk', async () => {
    const { reports, result } = await run('activation-patching', { hook: 'attn_out' }, [clean, firstChanged]);
    expect(result.patchedCalls).toBe(L * clean.length);
    expect(exactPlan(reports)).toBe(2 + L * clean.length + 1);
  });

  it('[layer, pos, head]: the heads of one (layer, position) share a call on the CPU', async () => {
    const { reports, result } = await run('activation-patching', { hook: 'z' }, [clean, firstChanged]);
    expect(result.patchedCalls).toBe(L * clean.length);
    expect(exactPlan(reports)).toBe(2 + L * clean.length + 1);
  });

  it('metric mid-prompt: positions after it are not run', async () => {
    const { reports, result } = await run('activation-patching', { hook: 'attn_out', position: 4 }, [clean, firstChanged]);
    expect(result.patchedCalls).toBe(L * 5);
    expect(exactPlan(reports)).toBe(2 + L * 5 + 1);
  });

  it('per layer (byPosition false) and pattern', async () => {
    for (const params of [{ hook: 'resid_post', byPosition: false }, { hook: 'pattern' }]) {
      const { reports, result } = await run('activation-patching', params, [clean, firstChanged]);
      expect(result.patchedCalls).toBe(L);
      expect(exactPlan(reports)).toBe(2 + L + 1);
    }
  });

  it('more than one tail chunk (over 64 metric rows)', async () => {
    const long = Array.from({ length: 12 }, (_, i) => (i * 7 + 3) % spec.dVocab);
    const { reports, result } = await run('activation-patching', { hook: 'z' }, [long, [(long[0] + 1) % spec.dVocab, ...long.slice(1)]]);
    const rows = L * long.length * H;
    expect(rows).toBeGreaterThan(64);
    expect(result.patchedCalls).toBe(L * long.length);
    expect(exactPlan(reports)).toBe(2 + L * long.length + Math.ceil(rows / 64));
  });

  it('with standing interventions each call unembeds its own rows: no tail chunk', async () => {
    const standing = { interventions: [{ hook: 'blocks.1.hook_resid_pre', op: 'scale' as const, factor: 0.5 }], caches: {} };
    const { reports, result } = await run('activation-patching', { hook: 'z' }, [clean, firstChanged], createCpuBackend(), standing);
    expect(result.patchedCalls).toBe(L * clean.length);
    expect(exactPlan(reports)).toBe(2 + L * clean.length);
  });

  it('naive mode: one run per cell, cells after the metric position included', async () => {
    const { reports } = await run('activation-patching', { hook: 'attn_out', mode: 'naive', position: 4 }, [clean, firstChanged]);
    expect(exactPlan(reports)).toBe(2 + L * clean.length);
  });

  it('noise without σ: one more pass reads the embedding for it', async () => {
    const { reports, result } = await run('activation-patching', { hook: 'attn_out', corrupted: { noise: { positions: [0] } } }, [clean]);
    expect(result.patchedCalls).toBe(L * clean.length);
    expect(exactPlan(reports)).toBe(1 + 2 + L * clean.length + 1);
  });

  it('the fast CPU backend batches rows that recompute a few positions', async () => {
    const { reports, result } = await run('activation-patching', { hook: 'attn_out' }, [clean, firstChanged], await createWasmBackend());
    expect(result.patchedCalls).toBeLessThan(L * clean.length);
    expect(exactPlan(reports)).toBe(2 + result.patchedCalls! + 1);
  });

  it('attribution patching: clean run, corrupted logits, gradients, activations, then the exact sweep', async () => {
    const estimate = await run('attribution-patching', { hook: 'attn_out', exact: false }, [clean, firstChanged]);
    expect(exactPlan(estimate.reports)).toBe(4);
    const both = await run('attribution-patching', { hook: 'attn_out' }, [clean, firstChanged]);
    expect(exactPlan(both.reports)).toBe(4 + 2 + L * clean.length + 1);
  });

  it('cells skipped as no-ops: re-planned exactly once the two full runs show them', async () => {
    // Token corruption at positions 2 and 5: at layer 0 every other position, and positions 0 and 1 at every layer, patch nothing.
    const corrupt = [3, 17, 40, 5, 9, 12, 2, 61];
    for (const [method, params] of [['activation-patching', { hook: 'resid_pre' }], ['attribution-patching', { hook: 'resid_pre' }]] as const) {
      const { reports } = await run(method, params, [clean, corrupt]);
      const fixed = method === 'attribution-patching' ? 4 : 0;
      const planned = fixed + 2 + L * clean.length + 1;
      const n = fixed + 2 + (L * clean.length - 6 - 2 * (L - 1)) + 1;
      // The plan before the full runs counts every cell; after them, the passes made.
      expect(reports).toEqual([
        ...Array.from({ length: fixed + 3 }, (_, i) => [i, planned]),
        ...Array.from({ length: n - fixed - 1 }, (_, i) => [fixed + 2 + i, n]),
        [n, n],
      ]);
    }
  });
});

describe('PassMeter re-planning', () => {
  function meter() {
    const reports: [number, number][] = [];
    const m = new PassMeter({ signal: new AbortController().signal, onProgress: (done, total) => reports.push([done, total]) });
    return { m, reports };
  }

  it('a later plan replaces what was left of the earlier one, smaller or larger', () => {
    const { m, reports } = meter();
    m.plan(10);
    m.plan(4);
    m.plan(4);
    m.plan(6);
    expect(reports).toEqual([[0, 10], [0, 4], [0, 6]]);
  });

  it('counts from the passes already done, and an overrun raises the total to the count done', async () => {
    const { m, reports } = meter();
    const spec1 = smallSpec('gpt2');
    const model = m.meter(modelOnBackend({ label: 'r', spec: spec1, weights: randomWeights(spec1, 1), tokenizer: null }, createCpuBackend()));
    const read = () => model.backend.read([model.weights.embed]);
    m.plan(5);
    await read();
    await read();
    m.plan(1);
    await read();
    await read();
    m.finish();
    expect(reports).toEqual([[0, 5], [1, 5], [2, 5], [2, 3], [3, 3], [4, 4], [4, 4]]);
  });
});
