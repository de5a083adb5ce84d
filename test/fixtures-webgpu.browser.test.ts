/**
 * The browser path of issue 3: stories260K loaded over HTTP range reads (HttpSource) and run on
 * navigator.gpu in real headless Chromium, against the independent reference (logits, every
 * cached hook, loss) and llama2.c's greedy continuation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSource } from '../analysis/formats/http-source.ts';
import { loadHostModel } from '../analysis/model/load.ts';
import { generate } from '../analysis/model/generate.ts';
import type { Model } from '../analysis/model/model.ts';
import { modelOnBackend } from '../analysis/model/model.ts';
import { run } from '../analysis/model/run.ts';
import type { WebGpuBackend } from '../gpu/webgpu/index.ts';
import { createWebGpuBackend } from '../gpu/webgpu/index.ts';
import type { Reference } from './compare.ts';
import { flatten, worstMismatch } from './compare.ts';

// Served by the test server from the project root (Vite rewrites `new URL(…, import.meta.url)`
// into an asset URL, which does not work for a folder).
const folder = new URL('/test/fixtures/stories260K-hf/', location.origin);
let gpu: WebGpuBackend;
let model: Model;
let ref: Reference;

beforeAll(async () => {
  gpu = await createWebGpuBackend();
  const host = await loadHostModel(new HttpSource(folder));
  model = modelOnBackend({ ...host, label: 'stories260K' }, gpu);
  ref = (await (await fetch(new URL('reference.json', folder))).json()) as Reference;
});
afterAll(() => gpu.destroy());

describe('stories260K on WebGPU in Chromium', () => {
  it('runs on navigator.gpu', () => {
    expect(model.backend.info.name).toBe('webgpu');
  });
  it('matches the reference: logits, loss and every cached hook of every input', async () => {
    for (const input of ref.inputs) {
      const r = await run(model, { ids: input.input_ids }, { capture: Object.keys(input.cache) });
      expect(worstMismatch(r.logits!.data, flatten(input.logits!).data), `${input.name} logits`).toBeNull();
      expect(Math.abs(r.loss! - input.loss)).toBeLessThanOrEqual(1e-4);
      for (const [name, expected] of Object.entries(input.cache)) {
        expect(worstMismatch(r.cache[name].data, flatten(expected).data), `${input.name} ${name}`).toBeNull();
      }
    }
  });
  it('reproduces the greedy continuation from BOS (first 64 tokens)', async () => {
    const greedy = ref.greedy_from_bos!;
    const g = await generate(model, { ids: greedy.prompt_ids }, { maxNewTokens: 64, stopTokens: [] });
    expect(g.newIds).toEqual(greedy.new_tokens.slice(0, 64));
  });
});
