/**
 * Every registered method takes dictionaries by construction (params.dictionaries): for each
 * method's parity case, attaching a built-in stories260K SAE with its error term leaves the
 * model — and so every number of the result — as it was (to float32 rounding), while the SAE's
 * stages exist as hook points for the method (checked where a method reports them). The same SAE
 * spliced without its error term changes the model, which at least one number shows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../analysis/json.ts';
import type { Model } from '../analysis/model/model.ts';
import type { MethodRun } from '../analysis/registry/contract.ts';
import { METHODS } from '../analysis/registry/registry.ts';
import { createWasmBackend } from '../gpu/wasm/index.ts';
import { nodeModelHost } from '../notebooks/node/model-host.ts';
import { CASES, DATASET } from './method-cases.ts';
import { parseProbeDataset } from '../analysis/methods/probe-data.ts';

/** Not the layers the cases' own dictionaries use (2 and 4), so the attached SAE never collides with them. */
const ATTACHED = 'builtin:stories260K-saes/blocks.1.hook_resid_post';
const host = nodeModelHost(await createWasmBackend(), '.');
let model: Model;
beforeAll(async () => {
  model = await host.open('builtin:stories260K', new AbortController().signal);
});

function inputs(method: string): MethodRun {
  const c = CASES[method];
  return {
    signal: new AbortController().signal,
    onProgress: () => {},
    prompts: { cell: 'prompts', items: c.prompts.map((text) => ({ text })) },
    dataset: method === 'probe' ? parseProbeDataset(DATASET, 'dataset') : null,
    dictionaries: host.dictionaries!(model),
    crossLayerTranscoder: host.crossLayerTranscoder!(model),
  };
}

/** Every number of `a` and `b` at the same place, with the same shape otherwise. */
function numbersOf(x: Json, path = '', out = new Map<string, number>()): Map<string, number> {
  if (typeof x === 'number') out.set(path, x);
  else if (Array.isArray(x)) x.forEach((v, i) => numbersOf(v, `${path}[${i}]`, out));
  else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) numbersOf(v, `${path}.${k}`, out);
  return out;
}

/** Worst |a − b| / (1 + |b|) over the numbers both results hold at the same place. */
function worstDifference(a: Json, b: Json): { worst: number; where: string; shared: number } {
  const x = numbersOf(a);
  const y = numbersOf(b);
  let worst = 0;
  let where = '';
  let shared = 0;
  for (const [k, v] of y) {
    // Ranks of near-tied low-probability tokens reorder under float32 rounding; they are not amounts.
    if (/\.rank\b/.test(k)) continue;
    const u = x.get(k);
    if (u === undefined) continue;
    shared++;
    const d = Math.abs(u - v) / (1 + Math.abs(v));
    if (d > worst) [worst, where] = [d, k];
  }
  return { worst, where, shared };
}

// Methods whose cases already carry `dictionaries` keep them, with the attached SAE added.
const withDictionary = (params: Record<string, unknown>, mode: string) => ({ ...params, dictionaries: [...((params.dictionaries as string[] | undefined) ?? []), ATTACHED], dictionarySplice: mode });

describe('every method takes dictionaries', () => {
  it.each(Object.keys(CASES))('%s: with the error term the result is unchanged', async (method) => {
    const m = METHODS.get(method)!;
    const c = CASES[method];
    const plain = await m.run(model, c.params, inputs(method));
    const spliced = await m.run(model, withDictionary(c.params, 'with-error'), inputs(method));
    const { worst, where, shared } = worstDifference(spliced, plain);
    expect(shared).toBeGreaterThan(0);
    expect(worst, `${method} at ${where}`).toBeLessThan(2e-3);
  }, 120_000);

  it('without the error term the SAE replaces layer 1: the results of methods that run the model change', async () => {
    const changed: string[] = [];
    const refused: string[] = [];
    for (const method of Object.keys(CASES)) {
      const m = METHODS.get(method)!;
      const c = CASES[method];
      const plain = await m.run(model, c.params, inputs(method));
      try {
        const replaced = await m.run(model, withDictionary(c.params, 'without-error'), inputs(method));
        if (worstDifference(replaced, plain).worst > 1e-3) changed.push(method);
      } catch (e) {
        expect((e as Error).message).toMatch(/without its error term/);
        refused.push(method);
      }
    }
    // DLA and LinearScope refuse a residual stream replaced without its error term (their sums
    // would not hold); neuron-decoding reads weights alone; every other method runs the model.
    expect(refused.sort()).toEqual(['dla', 'linearscope']);
    expect(changed).not.toContain('neuron-decoding');
    expect(changed.length).toBeGreaterThanOrEqual(14);
  }, 300_000);

  it('without the error term the model changes (run-model\'s loss), and a dictionary that is not the model\'s is refused by name', async () => {
    const m = METHODS.get('run-model')!;
    const c = CASES['run-model'];
    const plain = (await m.run(model, c.params, inputs('run-model'))) as { loss: number };
    const replaced = (await m.run(model, withDictionary(c.params, 'without-error'), inputs('run-model'))) as { loss: number };
    expect(Math.abs(replaced.loss - plain.loss)).toBeGreaterThan(1e-3);
    await expect(m.run(model, { ...c.params, dictionaries: ['test/fixtures/saes/gemma3-tiny/topk-L2-resid_post'] }, inputs('run-model'))).rejects.toThrow(/params\.dictionaries.*width|params\.dictionaries/);
  });
});
