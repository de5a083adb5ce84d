/**
 * Issue 16 acceptance on the CPU: every dictionary fixture of every host (SAELens standard, topk,
 * jumprelu, a jumprelu transcoder and its circuit-tracer twin) against its float64 goldens;
 * the twins give the same numbers; splicing with the error term leaves the logits unchanged.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../gpu/cpu/backend.ts';
import { dictionaryHook } from '../analysis/dictionaries/dictionary.ts';
import { dictionaryOnBackend } from '../analysis/dictionaries/device.ts';
import { run } from '../analysis/model/run.ts';
import type { Model } from '../analysis/model/model.ts';
import type { Nested } from './compare.ts';
import { flatten } from './compare.ts';
import type { SaeHost } from './dictionary-goldens.ts';
import { checkDictionaryGoldens, dictionaryIndex, hostAvailable, loadFixtureDictionary, loadGolden, loadHost, SAE_HOSTS } from './dictionary-goldens.ts';
import { FIXTURES } from './reference.ts';

function hostLogits(host: SaeHost): (i: number) => Float64Array {
  const ref = JSON.parse(readFileSync(`${FIXTURES}${host}/reference.json`, 'utf8')) as { inputs: { logits: Nested }[] };
  return (i) => flatten(ref.inputs[i].logits).data;
}

describe.each(SAE_HOSTS)('dictionaries on %s (CPU)', (host) => {
  // gemma3-tiny's host folder comes with gemma3 support (issue 14); without it this block says so.
  if (!hostAvailable(host)) {
    it.skip(`host model ${host} is not in test/fixtures yet: its dictionary goldens cannot run`, () => {});
    return;
  }
  let model: Model;
  const rows = dictionaryIndex(host);

  it.each(rows.map((r) => [r.folder, r] as const))('%s: goldens within 1e-4 + 1e-4·|ref|', async (_, row) => {
    model ??= await loadHost(host, createCpuBackend());
    const dict = await loadFixtureDictionary(host, row, model.spec.nLayers);
    const worst = await checkDictionaryGoldens(model, dict, loadGolden(host, row.folder), hostLogits(host));
    console.log(`${host}/${row.folder} worst |error|: ${JSON.stringify(worst)}`);
  });

  it('the SAELens and circuit-tracer copies of the transcoder give the same numbers', async () => {
    model ??= await loadHost(host, createCpuBackend());
    const saelens = rows.find((r) => r.folder.startsWith('jumprelu_transcoder'))!;
    const tracer = rows.find((r) => r.format.startsWith('circuit-tracer'))!;
    const [a, b] = await Promise.all([saelens, tracer].map((r) => loadFixtureDictionary(host, r, model.spec.nLayers)));
    expect(b.config.hookIn).toBe(a.config.hookIn);
    expect(b.config.hookOut).toBe(a.config.hookOut);
    const capture = [dictionaryHook.actsPost(a.config.hookOut), dictionaryHook.recons(a.config.hookOut)];
    for (const input of loadGolden(host, tracer.folder).inputs) {
      const [ra, rb] = await Promise.all(
        [a, b].map((d) => run(model, { ids: input.input_ids }, { capture, dictionaries: [{ dictionary: dictionaryOnBackend(d, model.backend) }] })),
      );
      for (const name of capture) expect([...rb.cache[name].data]).toEqual([...ra.cache[name].data]);
      expect(rb.logits!.data).toEqual(ra.logits!.data);
    }
  });

  it('splicing with the error term leaves the logits unchanged (f32, within 1e-4)', async () => {
    model ??= await loadHost(host, createCpuBackend());
    for (const row of rows) {
      const dict = dictionaryOnBackend(await loadFixtureDictionary(host, row, model.spec.nLayers), model.backend);
      const ids = loadGolden(host, row.folder).inputs[1].input_ids;
      const clean = await run(model, { ids });
      const spliced = await run(model, { ids }, { dictionaries: [{ dictionary: dict, errorTerm: true }] });
      const recOnly = await run(model, { ids }, { dictionaries: [{ dictionary: dict }] });
      let maxDiff = 0;
      let recDiff = 0;
      clean.logits!.data.forEach((v, i) => {
        maxDiff = Math.max(maxDiff, Math.abs(spliced.logits!.data[i] - v));
        recDiff = Math.max(recDiff, Math.abs(recOnly.logits!.data[i] - v));
      });
      expect(maxDiff, row.folder).toBeLessThanOrEqual(1e-4);
      // The identity is not vacuous: without the error term the logits move.
      expect(recDiff, row.folder).toBeGreaterThan(1e-2);
    }
  });
});
