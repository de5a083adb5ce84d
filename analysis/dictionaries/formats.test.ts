/**
 * The dictionary readers on constructed folders: Gemma Scope 2 and circuit-tracer copies of the
 * fixture weights give the fixtures' goldens; cross-layer decoder rows are read by slices; bad
 * input (missing tensor, wrong width, unknown architecture, missing hook) fails naming it.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HostWeight } from '../../gpu/backend.ts';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { seededRandom } from '../../gpu/random.ts';
import { MemorySource } from '../formats/memory-source.ts';
import { NodeFolderSource } from '../formats/node-source.ts';
import { encodeSafetensors } from '../formats/safetensors-writer.ts';
import type { Model } from '../model/model.ts';
import { run } from '../model/run.ts';
import { checkDictionaryGoldens, loadGolden, loadHost, saeFolder } from '../../test/dictionary-goldens.ts';
import { flatten } from '../../test/compare.ts';
import type { Nested } from '../../test/compare.ts';
import { FIXTURES } from '../../test/reference.ts';
import { CrossLayerTranscoder } from './circuit-tracer.ts';
import { dictionaryOnBackend } from './device.ts';
import { gemmaScopeHookFromPath, loadGemmaScope2 } from './gemma-scope.ts';
import { checkDictionaryForModel, openDictionaries } from './open.ts';
import { loadSaeLens } from './saelens.ts';
import { saeLensFiles } from './saelens-writer.ts';
import { transposed } from './tensors.ts';

const HOST = 'stories260K-hf';
const hostLogits = (() => {
  const ref = JSON.parse(readFileSync(`${FIXTURES}${HOST}/reference.json`, 'utf8')) as { inputs: { logits: Nested }[] };
  return (i: number) => flatten(ref.inputs[i].logits).data;
})();

function f32(name: string, shape: number[], data: Float32Array): HostWeight {
  return { name, dtype: 'F32', shape, data };
}

function fixtureFiles(folder: string): Record<string, Uint8Array> {
  const dir = saeFolder(HOST, folder);
  return {
    'cfg.json': readFileSync(`${dir}/cfg.json`),
    'sae_weights.safetensors': readFileSync(`${dir}/sae_weights.safetensors`),
  };
}

let model: Model;
beforeAll(async () => {
  model = await loadHost(HOST, createCpuBackend());
});

describe('Gemma Scope 2 files', () => {
  it('a lowercase copy of the jumprelu fixture gives its goldens', async () => {
    const sae = await loadSaeLens(new NodeFolderSource(saeFolder(HOST, 'jumprelu-L1-resid_post')));
    const w = sae.weights;
    const file = encodeSafetensors([
      { ...transposed(w.encoder), name: 'w_enc' },
      { ...w.bEnc, name: 'b_enc' },
      { ...w.decoder, name: 'w_dec' },
      { ...w.bDec, name: 'b_dec' },
      { ...w.threshold!, name: 'threshold' },
    ]);
    const source = new MemorySource('gemma-scope-copy', { 'params.safetensors': file });
    const dict = await loadGemmaScope2(source, { path: 'resid_post/layer_1_width_1k_l0_small' });
    expect(dict.config.hookIn).toBe('blocks.1.hook_resid_post');
    await checkDictionaryGoldens(model, dict, loadGolden(HOST, 'jumprelu-L1-resid_post'), hostLogits);
  });

  it('the affine skip connection is added as x·A', async () => {
    const d = model.spec.dModel;
    const sae = await loadSaeLens(new NodeFolderSource(saeFolder(HOST, 'jumprelu-L1-resid_post')));
    const w = sae.weights;
    // A = I: the output is reconstruction + x, so (with no error term) output − x = reconstruction.
    const eye = new Float32Array(d * d);
    for (let i = 0; i < d; i++) eye[i * d + i] = 1;
    const base = [
      { ...transposed(w.encoder), name: 'w_enc' },
      { ...w.bEnc, name: 'b_enc' },
      { ...w.decoder, name: 'w_dec' },
      { ...w.bDec, name: 'b_dec' },
      { ...w.threshold!, name: 'threshold' },
    ];
    const withSkip = await loadGemmaScope2(
      new MemorySource('skip', { 'params.safetensors': encodeSafetensors([...base, f32('affine_skip_connection', [d, d], eye)]) }),
      { hookIn: 'blocks.1.hook_resid_post' },
    );
    const golden = loadGolden(HOST, 'jumprelu-L1-resid_post').inputs[0];
    const hook = 'blocks.1.hook_resid_post.hook_sae_recons';
    const r = await run(model, { ids: golden.input_ids }, { capture: [hook], dictionaries: [{ dictionary: dictionaryOnBackend(withSkip, model.backend) }] });
    const x = flatten(golden.x!).data;
    const want = flatten(golden.reconstruction!).data.map((v, i) => v + x[i]);
    r.cache[hook].data.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-4));
  });

  it('infers the hook from a release path, and asks for one otherwise', async () => {
    expect(gemmaScopeHookFromPath('resid_post/layer_22_width_16k_l0_medium')).toBe('blocks.22.hook_resid_post');
    expect(gemmaScopeHookFromPath('mlp_out/layer_3_width_65k_l0_big/params.safetensors')).toBe('blocks.3.hook_mlp_out');
    expect(gemmaScopeHookFromPath('transcoder/layer_3_width_65k')).toBeNull();
    const source = new MemorySource('no-hook', { 'params.safetensors': encodeSafetensors([f32('w_enc', [2, 3], new Float32Array(6))]) });
    await expect(loadGemmaScope2(source)).rejects.toThrow(/names no hook/);
  });
});

describe('SAELens gated SAEs', () => {
  it('acts = [sae_in·W_enc + b_gate > 0] · relu(sae_in·(W_enc ⊙ exp(r_mag)) + b_mag), in float64', async () => {
    const hook = 'blocks.2.hook_resid_post';
    const d = model.spec.dModel;
    const f = 24;
    const next = seededRandom(8);
    const rand = (n: number, scale: number) => Float32Array.from({ length: n }, () => (2 * next() - 1) * scale);
    const t = { W_enc: rand(d * f, 0.3), b_gate: rand(f, 1), b_mag: rand(f, 1), r_mag: rand(f, 0.5), W_dec: rand(f * d, 0.3), b_dec: rand(d, 0.2) };
    const cfg = { architecture: 'gated', d_in: d, d_sae: f, apply_b_dec_to_input: true, normalize_activations: 'none', metadata: { hook_name: hook, sae_lens_version: '6.52.0' } };
    const files = {
      'cfg.json': JSON.stringify(cfg),
      'sae_weights.safetensors': encodeSafetensors([
        f32('W_enc', [d, f], t.W_enc), f32('b_gate', [f], t.b_gate), f32('b_mag', [f], t.b_mag), f32('r_mag', [f], t.r_mag), f32('W_dec', [f, d], t.W_dec), f32('b_dec', [d], t.b_dec),
      ]),
    };
    const gated = await loadSaeLens(new MemorySource('gated', files));
    const ids = loadGolden(HOST, 'standard-L2-resid_post').inputs[1].input_ids;
    const clean = await run(model, { ids }, { capture: [hook] });
    const name = `${hook}.hook_sae_acts_post`;
    const r = await run(model, { ids }, { capture: [name], dictionaries: [{ dictionary: dictionaryOnBackend(gated, model.backend), splice: false }] });
    const x = clean.cache[hook].data;
    let closedButPositive = 0;
    for (let p = 0; p < ids.length; p++) {
      for (let j = 0; j < f; j++) {
        let g = t.b_gate[j];
        let m = t.b_mag[j];
        for (let i = 0; i < d; i++) {
          const v = x[p * d + i] - t.b_dec[i];
          g += v * t.W_enc[i * f + j];
          m += v * t.W_enc[i * f + j] * Math.exp(t.r_mag[j]);
        }
        if (g <= 0 && m > 0) closedButPositive++;
        const want = g > 0 ? Math.max(0, m) : 0;
        expect(Math.abs(r.cache[name].data[p * f + j] - want)).toBeLessThan(1e-4);
      }
    }
    expect(closedButPositive).toBeGreaterThan(0);
    expect(() => saeLensFiles(gated)).toThrow(/not written as SAELens folders/);
  });
});

describe('cross-layer transcoders (circuit-tracer)', () => {
  const nLayers = 3;
  const f = 5;
  const d = 4;
  const decoders = Array.from({ length: nLayers }, (_, i) => Float32Array.from({ length: f * (nLayers - i) * d }, (_, j) => i * 1000 + j));
  const files: Record<string, Uint8Array | string> = {
    'config.yaml': 'model_kind: cross_layer_transcoder\nfeature_input_hook: hook_resid_mid\nfeature_output_hook: hook_mlp_out\n',
  };
  for (let i = 0; i < nLayers; i++) {
    files[`W_dec_${i}.safetensors`] = encodeSafetensors([f32(`W_dec_${i}`, [f, nLayers - i, d], decoders[i])]);
    files[`W_enc_${i}.safetensors`] = encodeSafetensors([
      f32(`W_enc_${i}`, [f, d], new Float32Array(f * d).fill(i)),
      f32(`b_enc_${i}`, [f], new Float32Array(f)),
      f32(`b_dec_${i}`, [d], new Float32Array(d)),
      f32(`threshold_${i}`, [1, f], new Float32Array(f).fill(0.5)),
    ]);
  }

  it('reads decoder rows lazily, one range read per feature slice', async () => {
    const source = new MemorySource('clt', files);
    const clt = await CrossLayerTranscoder.open(source, nLayers);
    expect([clt.dTranscoder, clt.dModel]).toEqual([f, d]);
    const before = source.reads.length;
    const rows = await clt.decoderRows(1, 2, 4);
    expect(rows.shape).toEqual([2, nLayers - 1, d]);
    expect([...(rows.data as Float32Array)]).toEqual([...decoders[1].subarray(2 * (nLayers - 1) * d, 4 * (nLayers - 1) * d)]);
    const reads = source.reads.slice(before);
    expect(reads).toHaveLength(1);
    expect(reads[0][2] - reads[0][1]).toBe(2 * (nLayers - 1) * d * 4);
    const enc = await clt.encoderLayer(2);
    expect(enc.threshold!.shape).toEqual([f]);
    await expect(clt.decoderRows(0, 4, 9)).rejects.toThrow(/outside \[0, 5\)/);
  });

  it('names a missing decoder file and a wrong decoder shape', async () => {
    const missing = { ...files };
    delete missing['W_dec_2.safetensors'];
    await expect(CrossLayerTranscoder.open(new MemorySource('clt', missing), nLayers)).rejects.toThrow(/W_dec_2\.safetensors not found/);
    const bad = { ...files, 'W_dec_1.safetensors': encodeSafetensors([f32('W_dec_1', [f, nLayers, d], new Float32Array(f * nLayers * d))]) };
    await expect(CrossLayerTranscoder.open(new MemorySource('clt', bad), nLayers)).rejects.toThrow(/"W_dec_1" has shape \[5, 3, 4\], expected \[5, 2, 4\]/);
  });
});

describe('bad input fails naming what is wrong', () => {
  it('a missing tensor', async () => {
    const files = fixtureFiles('jumprelu-L1-resid_post');
    const sae = await loadSaeLens(new NodeFolderSource(saeFolder(HOST, 'jumprelu-L1-resid_post')));
    const w = sae.weights;
    files['sae_weights.safetensors'] = encodeSafetensors([{ ...transposed(w.encoder), name: 'W_enc' }, w.bEnc, w.decoder, w.bDec]);
    await expect(loadSaeLens(new MemorySource('no-threshold', files))).rejects.toThrow(/missing tensor "threshold"/);
  });

  it('an unknown architecture', async () => {
    const files = fixtureFiles('standard-L2-resid_post');
    const cfg = JSON.parse(new TextDecoder().decode(files['cfg.json'])) as Record<string, unknown>;
    files['cfg.json'] = new TextEncoder().encode(JSON.stringify({ ...cfg, architecture: 'matryoshka_batchtopk' }));
    await expect(loadSaeLens(new MemorySource('odd', files))).rejects.toThrow(/unknown architecture "matryoshka_batchtopk"/);
    files['cfg.json'] = new TextEncoder().encode(JSON.stringify({ ...cfg, architecture: 'toString' }));
    await expect(loadSaeLens(new MemorySource('proto', files))).rejects.toThrow(/unknown architecture "toString"/);
  });

  it('a tensor whose shape disagrees with cfg.json', async () => {
    const files = fixtureFiles('standard-L2-resid_post');
    const cfg = JSON.parse(new TextDecoder().decode(files['cfg.json'])) as Record<string, unknown>;
    files['cfg.json'] = new TextEncoder().encode(JSON.stringify({ ...cfg, d_sae: 300 }));
    await expect(loadSaeLens(new MemorySource('wrong-d-sae', files))).rejects.toThrow(/"W_enc" has shape \[64, 320\], expected \[64, 300\]/);
  });

  it('a width that does not match the hook, and a hook the model lacks', async () => {
    const sae = await loadSaeLens(new NodeFolderSource(saeFolder(HOST, 'standard-L2-resid_post')));
    expect(() => checkDictionaryForModel({ ...sae.config, hookIn: 'blocks.2.mlp.hook_post', hookOut: 'blocks.2.mlp.hook_post' }, model.hookPoints, model.spec)).toThrow(
      /input width 64 does not match blocks\.2\.mlp\.hook_post, which is 172 wide/,
    );
    expect(() => checkDictionaryForModel({ ...sae.config, hookIn: 'blocks.9.hook_resid_post', hookOut: 'blocks.9.hook_resid_post' }, model.hookPoints, model.spec)).toThrow(
      /input hook "blocks\.9\.hook_resid_post" does not exist in this model/,
    );
    const misplaced = dictionaryOnBackend({ ...sae, config: { ...sae.config, hookIn: 'blocks.9.hook_resid_post', hookOut: 'blocks.9.hook_resid_post' } }, model.backend);
    await expect(run(model, { ids: [1, 2, 3] }, { dictionaries: [{ dictionary: misplaced }] })).rejects.toThrow(/"blocks\.9\.hook_resid_post", which this model does not have/);
  });

  it('a folder that is not a dictionary', async () => {
    await expect(openDictionaries(new MemorySource('empty', {}))).rejects.toThrow(/not a dictionary folder/);
  });
});
