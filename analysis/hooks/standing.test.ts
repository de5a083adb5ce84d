/**
 * Standing interventions (a model that carries them) against the same interventions passed to
 * each run: bit-identical logits for run, generate and the reusing patching sweep, and
 * different from the plain model (so the tests can fail). Plus the checks the app's list shows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { NodeFolderSource } from '../formats/node-source.ts';
import { builtinModelFolder } from '../model/builtin.ts';
import { generate } from '../model/generate.ts';
import { loadHostModel } from '../model/load.ts';
import type { Model } from '../model/model.ts';
import { modelOnBackend } from '../model/model.ts';
import { run } from '../model/run.ts';
import { naiveSweep, reusingSweep } from '../methods/patch-runs.ts';
import { checkIntervention, checkInterventions } from './check-interventions.ts';
import { parseInterventions } from './interventions.ts';
import { hookOptionsWithStanding, withStanding } from './standing.ts';

let model: Model;
const IDS = [1, 317, 263, 377, 267, 265, 282, 295, 433];
const OTHER = [1, 326, 263, 377, 267, 265, 282, 295, 433];
const ZERO = parseInterventions([{ hook: 'blocks.1.attn.hook_z', op: 'zero', head: [0, 2] }]);

beforeAll(async () => {
  const host = await loadHostModel(new NodeFolderSource(builtinModelFolder('builtin:stories260K')));
  model = modelOnBackend({ ...host, label: 'builtin:stories260K' }, createCpuBackend());
});

describe('standing interventions', () => {
  it('run on the intervened model = run with the interventions; ≠ the plain run', async () => {
    const intervened = withStanding(model, { interventions: ZERO, caches: {} });
    const standing = await run(intervened, { ids: IDS });
    const given = await run(model, { ids: IDS }, { interventions: ZERO });
    const plain = await run(model, { ids: IDS });
    expect(standing.logits!.data).toEqual(given.logits!.data);
    expect(standing.logits!.data).not.toEqual(plain.logits!.data);
    // Removing them gives the plain model back.
    expect((await run(withStanding(intervened, null), { ids: IDS })).logits!.data).toEqual(plain.logits!.data);
  });

  it('come before the run’s own interventions and bring their caches', async () => {
    const source = (await run(model, { ids: OTHER }, { capture: ['blocks.0.hook_resid_post'] })).cache;
    const replace = parseInterventions([{ hook: 'blocks.0.hook_resid_post', op: 'replace', source: 'other prompt', pos: 3 }]);
    const intervened = withStanding(model, { interventions: replace, caches: { 'other prompt': source } });
    const own = parseInterventions([{ hook: 'blocks.0.hook_resid_post', op: 'scale', factor: 0.5 }]);
    const standing = await run(intervened, { ids: IDS }, { interventions: own });
    const given = await run(model, { ids: IDS }, { interventions: [...replace, ...own], caches: { 'other prompt': source } });
    expect(standing.logits!.data).toEqual(given.logits!.data);
    expect(() => hookOptionsWithStanding(intervened, { caches: { 'other prompt': source } })).toThrow(/cache "other prompt" has the name of a cache/);
  });

  it('apply in KV-cached generation', async () => {
    const options = { maxNewTokens: 4, temperature: 0 };
    const standing = await generate(withStanding(model, { interventions: ZERO, caches: {} }), { ids: IDS }, options);
    const given = await generate(model, { ids: IDS }, { ...options, interventions: ZERO });
    expect(standing.newIds).toEqual(given.newIds);
  });

  it('the reusing patching sweep agrees with the naive one on an intervened model', async () => {
    // A scale at resid_pre, where the reusing sweep restarts the forward: it must act once there.
    const scaled = parseInterventions([{ hook: 'blocks.2.hook_resid_pre', op: 'scale', factor: 0.5, pos: [1, 6] }]);
    const intervened = withStanding(model, { interventions: [...ZERO, ...scaled], caches: {} });
    const cells = [0, 2, 4].flatMap((layer) => [2, 5, 8].map((pos) => ({ layer, pos })));
    const req = (m: Model) => ({
      model: m,
      base: { ids: OTHER, interventions: [] },
      source: { ids: IDS, interventions: [] },
      which: 'resid_pre' as const,
      cells,
      metric: (logits: Float32Array) => logits[317] - logits[326],
      position: IDS.length - 1,
    });
    const naive = await naiveSweep(req(intervened));
    const reusing = await reusingSweep(req(intervened), { maxBatch: 4, maxRecompute: 4 });
    expect(Array.from(reusing.metric)).toEqual(Array.from(naive.metric));
    const plain = await naiveSweep(req(model));
    expect(naive.baseMetric).not.toBe(plain.baseMetric);
  });
});

describe('checking interventions against a model', () => {
  const dims = { nLayers: 5, nHeads: 8, nKvHeads: 4, dHead: 8, dModel: 64, dMlp: 172, nCtx: 512 };
  const check = (data: unknown) => checkIntervention(data, model.hookPoints, dims, ['corrupted prompt']).problems;

  it('accepts a valid entry and names what is wrong with an invalid one', () => {
    expect(check({ hook: 'blocks.1.attn.hook_z', op: 'zero', head: 2, pos: 3 })).toEqual([]);
    expect(check({ hook: 'blocks.1.attn.hook_pattern', op: 'uniform', head: 1 })).toEqual([]);
    expect(check({ hook: 'blocks.7.hook_resid_pre', op: 'zero' })).toEqual(['hook "blocks.7.hook_resid_pre": this model has 5 layers (blocks.0 to blocks.4)']);
    expect(check({ hook: 'blocks.1.hook_nope', op: 'zero' })).toEqual(['hook "blocks.1.hook_nope" is not a hook of this model']);
    expect(check({ hook: 'blocks.1.hook_resid_pre', op: 'zero', head: 1 })).toEqual(['head: blocks.1.hook_resid_pre has no head axis (its axes: batch, pos, dModel)']);
    expect(check({ hook: 'blocks.1.attn.hook_z', op: 'zero', head: 8 })).toEqual(['head: 8 is outside [0, 8) on blocks.1.attn.hook_z (head axis)']);
    expect(check({ hook: 'blocks.1.attn.hook_k', op: 'zero', head: 4 })).toEqual(['head: 4 is outside [0, 4) on blocks.1.attn.hook_k (kvHead axis)']);
    expect(check({ hook: 'blocks.1.mlp.hook_post', op: 'zero', neuron: 172 })).toEqual(['neuron: 172 is outside [0, 172) on blocks.1.mlp.hook_post (neuron axis)']);
    expect(check({ hook: 'blocks.1.hook_resid_pre', op: 'add', vector: [1, 2] })).toEqual(['vector: has 2 entries, the last axis of blocks.1.hook_resid_pre has 64']);
    expect(check({ hook: 'blocks.1.hook_resid_pre', op: 'replace', source: 'clean' })).toEqual(['source: there is no activation cache "clean" (available: "corrupted prompt")']);
    expect(check({ hook: 'blocks.1.hook_resid_pre', op: 'scale' })).toEqual(['op "scale" needs "factor"']);
    expect(check({ hook: 'blocks.1.hook_resid_pre', op: 'explode' })[0]).toMatch(/^op: /);
  });

  it('the dims agree with the model: every valid check runs, every index error is an engine error too', async () => {
    expect({ ...dims }).toMatchObject({ nLayers: model.spec.nLayers, nHeads: model.spec.nHeads, nKvHeads: model.spec.nKvHeads, dModel: model.spec.dModel, dMlp: model.spec.dMlp });
    const ok = checkInterventions([{ hook: 'blocks.1.attn.hook_z', op: 'zero', head: 7 }], model.hookPoints, dims, []);
    await expect(run(model, { ids: IDS }, { interventions: ok })).resolves.toBeTruthy();
    await expect(run(model, { ids: IDS }, { interventions: [{ hook: 'blocks.1.attn.hook_z', op: 'zero', head: 8 }] })).rejects.toThrow(/outside/);
    expect(() => checkInterventions([{ hook: 'x', op: 'zero' }, { hook: 'blocks.0.hook_resid_pre', op: 'zero', head: 0 }], model.hookPoints, dims, [])).toThrow(
      'intervention 1: hook "x" is not a hook of this model; intervention 2: head: blocks.0.hook_resid_pre has no head axis (its axes: batch, pos, dModel)',
    );
  });
});
