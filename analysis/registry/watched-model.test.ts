import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { modelOnBackend } from '../model/model.ts';
import { randomWeights, smallSpec } from '../model/random.ts';
import { run } from '../model/run.ts';
import { watchedModel } from './watched-model.ts';

function tinyModel() {
  const spec = smallSpec('llama');
  return modelOnBackend({ label: 'tiny', spec, weights: randomWeights(spec, 1), tokenizer: null }, createCpuBackend());
}

describe('watchedModel', () => {
  it('gives the same numbers and counts read-backs', async () => {
    const model = tinyModel();
    let reads = 0;
    const watched = watchedModel(model, { beforeRead: async () => {}, afterRead: () => reads++ });
    const a = await run(model, { ids: [1, 2, 3] });
    const b = await run(watched, { ids: [1, 2, 3] });
    expect(Array.from(b.logits!.data)).toEqual(Array.from(a.logits!.data));
    expect(reads).toBe(1);
  });

  it('stops a method when beforeRead throws', async () => {
    const watched = watchedModel(tinyModel(), {
      beforeRead: async () => {
        throw new Error('cancelled');
      },
    });
    await expect(run(watched, { ids: [1, 2] })).rejects.toThrow('cancelled');
  });
});
