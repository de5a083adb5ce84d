import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeFromJson } from '../../analysis/methods/probe.ts';
import { subjectGenderDataset } from '../../analysis/methods/probe-data.ts';
import { jsonOf, runCli } from '../../test/cli-capture.ts';
import { testTempDir } from '../../test/temp-dir.ts';

interface ProbeJson {
  classes: string[];
  nTrain: number;
  nTest: number;
  layers: { layer: number; hook: string; testAccuracy: number; testMajorityBaseline: number; decodedTop: string[] | null }[];
  transfer: { layer: number; gapRecovered: number }[] | null;
}

describe('probescope probe', () => {
  it('trains per-layer probes from a dataset file, equal to the built-in dataset, and saves them', async () => {
    const dir = testTempDir('probescope-probe-');
    const file = join(dir, 'gender.json');
    const saved = join(dir, 'probes.json');
    writeFileSync(file, JSON.stringify(subjectGenderDataset()));
    const common = ['--model', 'builtin:stories260K', '--hook', 'resid_post', '--position', 'mean', '--layers', '3,4', '--top-k', '2', '--json'];
    const fromFile = jsonOf(await runCli(['probe', '--dataset', file, ...common, '--save', saved])) as unknown as ProbeJson;
    const builtin = jsonOf(await runCli(['probe', '--dataset', 'builtin:subject-gender', ...common])) as unknown as ProbeJson;
    expect(fromFile).toEqual(builtin);
    expect(fromFile.classes).toEqual(['girl', 'boy']);
    expect([fromFile.nTrain, fromFile.nTest]).toEqual([40, 56]);
    expect(fromFile.layers.map((l) => l.hook)).toEqual(['blocks.3.hook_resid_post', 'blocks.4.hook_resid_post']);
    for (const l of fromFile.layers) expect(l.testAccuracy).toBeGreaterThan(l.testMajorityBaseline + 0.15);
    expect(fromFile.layers[0].decodedTop).toHaveLength(2);
    expect(fromFile.transfer).toHaveLength(2);
    const probes = JSON.parse(readFileSync(saved, 'utf8')) as unknown[];
    expect(probes.map((p) => probeFromJson(p).hook)).toEqual(['blocks.3.hook_resid_post', 'blocks.4.hook_resid_post']);
  });

  it('rejects a malformed dataset naming the field', async () => {
    const dir = testTempDir('probescope-probe-');
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ examples: [{ prompt: 'a', label: 'x' }, { prompt: 'b' }] }));
    const out = await runCli(['probe', '--model', 'builtin:stories260K', '--dataset', file, '--json']);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(/bad\.json: invalid at examples\.1\.label/);
  });
});
