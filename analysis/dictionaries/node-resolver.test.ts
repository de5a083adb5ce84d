import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFixtureModel } from '../../test/fixture-model.ts';
import { FIXTURES } from '../../test/reference.ts';
import { fileTempDir } from '../../test/temp-dir.ts';
import { encodeSafetensors } from '../formats/safetensors-writer.ts';
import { dictionaryFolder, nodeCltResolver, nodeDictionaryResolver } from './node-resolver.ts';

describe('dictionary references in Node hosts', () => {
  it('a folder of per-hook SAELens folders opens as a set; builtin names stay inside models/', async () => {
    const model = await loadFixtureModel('stories260K-hf');
    const set = await nodeDictionaryResolver(model)('builtin:stories260K-transcoders', 'transcoders');
    expect(set.map((d) => d.config.hookOut)).toEqual([0, 1, 2, 3, 4].map((l) => `blocks.${l}.hook_mlp_out`));
    expect(() => dictionaryFolder('builtin:../etc')).toThrow(/builtin:NAME/);
    await expect(nodeDictionaryResolver(model)(FIXTURES, 'transcoders')).rejects.toThrow(/params\.transcoders: .*no dictionary here/);
  });

  it('a cross-layer transcoder folder opens as one; anything else is not one', async () => {
    const model = await loadFixtureModel('stories260K-hf');
    const resolve = nodeCltResolver(model);
    expect(await resolve(`${FIXTURES}saes/stories260K-hf/circuit_tracer-L1-mlp`, 'transcoders')).toBeNull();
    expect(await resolve('builtin:stories260K-transcoders', 'transcoders')).toBeNull();
    const { nLayers: L, dModel: d } = model.spec;
    const f = 3;
    const dir = join(fileTempDir('probescope-clt-'), 'clt');
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.yaml'), 'model_kind: cross_layer_transcoder\nfeature_input_hook: ln2.hook_normalized\nfeature_output_hook: hook_mlp_out\n');
    const w = (name: string, shape: number[]) => ({ name, dtype: 'F32' as const, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    for (let i = 0; i < L; i++) {
      writeFileSync(join(dir, `W_enc_${i}.safetensors`), encodeSafetensors([w(`W_enc_${i}`, [f, d]), w(`b_enc_${i}`, [f]), w(`b_dec_${i}`, [d])]));
      writeFileSync(join(dir, `W_dec_${i}.safetensors`), encodeSafetensors([w(`W_dec_${i}`, [f, L - i, d])]));
    }
    const clt = await resolve(dir, 'transcoders');
    expect([clt?.nLayers, clt?.dTranscoder, clt?.dModel]).toEqual([L, f, d]);
  });
});
