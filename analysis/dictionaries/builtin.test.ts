/**
 * The shipped stories260K SAEs: every built-in dictionary opens, fits the built-in model, and
 * reconstructs its training corpus well (explained variance on two corpus samples, recomputed).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { NodeFolderSource } from '../formats/node-source.ts';
import { builtinModelFolder } from '../model/builtin.ts';
import { loadHostModel } from '../model/load.ts';
import { modelOnBackend } from '../model/model.ts';
import { BUILTIN_DICTIONARIES, builtinDictionary, openBuiltinDictionary } from './builtin.ts';
import { dictionaryOnBackend } from './device.ts';
import { dictionaryMetrics } from './metrics.ts';
import { checkDictionaryForModel } from './open.ts';

describe('built-in dictionaries', () => {
  it('one TopK SAE per residual layer of stories260K, each fitting the model', async () => {
    const host = await loadHostModel(new NodeFolderSource(builtinModelFolder('builtin:stories260K')));
    const model = modelOnBackend({ ...host, label: 'builtin:stories260K' }, createCpuBackend());
    expect(BUILTIN_DICTIONARIES.map((d) => d.hook)).toEqual(Array.from({ length: model.spec.nLayers }, (_, l) => `blocks.${l}.hook_resid_post`));
    const corpusUrl = new URL('../../models/stories260K-saes/corpus.json', import.meta.url);
    const corpus = (JSON.parse(readFileSync(corpusUrl, 'utf8')) as { sequences: number[][] }).sequences.slice(0, 2);
    for (const entry of BUILTIN_DICTIONARIES) {
      const dict = await openBuiltinDictionary(entry.id);
      expect(dict.config).toMatchObject({ architecture: 'topk', hookIn: entry.hook, dIn: 64 });
      checkDictionaryForModel(dict.config, model.hookPoints, model.spec);
      const m = await dictionaryMetrics(model, dictionaryOnBackend(dict, model.backend), corpus);
      expect(m.explainedVariance, entry.id).toBeGreaterThan(0.8);
      expect(m.meanL0).toBeLessThanOrEqual(16);
    }
    expect(() => builtinDictionary('builtin:nope')).toThrow(/unknown built-in dictionary/);
  });
});
