/**
 * Issue 16's dictionary goldens on WebGPU for one fixture host: every dictionary in the host's
 * index on one input (input 1), as on the CPU (test/dictionaries.test.ts), including the top-k
 * kernel. The default and slow WebGPU dictionary tests register it for their hosts.
 */
import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import type { WebGpuBackend } from '../gpu/webgpu/index.ts';
import type { Model } from '../analysis/model/model.ts';
import type { Nested } from './compare.ts';
import { flatten } from './compare.ts';
import type { SaeHost } from './dictionary-goldens.ts';
import { checkDictionaryGoldens, dictionaryIndex, hostAvailable, loadFixtureDictionary, loadGolden, loadHost } from './dictionary-goldens.ts';
import { FIXTURES } from './reference.ts';

export function describeDictionaryGoldensOnWebGpu(host: SaeHost, gpu: () => WebGpuBackend): void {
  describe(`dictionaries on ${host} (WebGPU)`, () => {
    if (!hostAvailable(host)) {
      it.skip(`host model ${host} is not in test/fixtures yet: its dictionary goldens cannot run`, () => {});
      return;
    }
    const ref = JSON.parse(readFileSync(`${FIXTURES}${host}/reference.json`, 'utf8')) as { inputs: { logits: Nested }[] };
    let model: Model;
    it.each(dictionaryIndex(host).map((r) => [r.folder, r] as const))('%s: goldens within 1e-4 + 1e-4·|ref|', async (_, row) => {
      model ??= await loadHost(host, gpu());
      const dict = await loadFixtureDictionary(host, row, model.spec.nLayers);
      const worst = await checkDictionaryGoldens(model, dict, loadGolden(host, row.folder), (i) => flatten(ref.inputs[i].logits).data, [1]);
      console.log(`WebGPU ${host}/${row.folder} worst |error|: ${JSON.stringify(worst)}`);
    });
  });
}
