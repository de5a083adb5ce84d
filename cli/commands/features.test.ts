/**
 * The dictionary methods as CLI commands on the built-in SAEs: feature-search lists the features
 * the library finds at a position, feature-steer changes the continuation, a bad dictionary
 * reference fails with one line.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { openBuiltinDictionary } from '../../analysis/dictionaries/builtin.ts';
import { featuresAt } from '../../analysis/dictionaries/dashboard.ts';
import { dictionaryOnBackend } from '../../analysis/dictionaries/device.ts';
import { run } from '../../analysis/model/run.ts';
import { jsonOf, runCli } from '../../test/cli-capture.ts';
import { openModel } from '../open.ts';

const SAE = 'builtin:stories260K-saes/blocks.2.hook_resid_post';

describe('probescope feature-*', () => {
  it('feature-search: the features the library finds at the position', async () => {
    const out = jsonOf(await runCli(['feature-search', '--model', 'builtin:stories260K', '--backend', 'cpu-ref', '--dictionary', SAE, '--prompt', 'Lily went to the park', '--position', '-1', '--json'])) as unknown as {
      position: number;
      features: { feature: number; activation: number }[];
    };
    const model = await openModel('builtin:stories260K', createCpuBackend());
    const ids = (await run(model, { text: 'Lily went to the park' }, { logits: 'none' })).ids[0];
    const lib = await featuresAt(model, dictionaryOnBackend(await openBuiltinDictionary(SAE), model.backend), ids, ids.length - 1);
    expect(out.position).toBe(ids.length - 1);
    expect(out.features.map((f) => f.feature)).toEqual(lib.map((f) => f.feature));
    expect(out.features.length).toBeGreaterThan(0);
  });

  it('feature-steer: adding a feature changes the greedy continuation', async () => {
    const out = jsonOf(await runCli(['feature-steer', '--model', 'builtin:stories260K', '--backend', 'cpu-ref', '--dictionary', SAE, '--feature', '152', '--value', '6', '--prompt', 'Once upon a time', '--max-new-tokens', '10', '--json'])) as unknown as {
      clean: { ids: number[] };
      steered: { ids: number[] };
    };
    expect(out.clean.ids).toHaveLength(10);
    expect(out.steered.ids).not.toEqual(out.clean.ids);
  });

  it('a dictionary that is not there fails with one line', async () => {
    const r = await runCli(['feature-search', '--model', 'builtin:stories260K', '--dictionary', 'no/such/folder', '--prompt', 'Lily']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/dictionary/);
  });
});
