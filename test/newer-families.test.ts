/**
 * Issue 14 acceptance beyond the goldens (fixtures README "Newer families"):
 * - the features are really exercised: turning off a sliding window, a softcap, a q/k norm or the
 *   llama3 RoPE scaling makes the fixture's logits miss the reference;
 * - KV-cached generation equals a full re-run inside and beyond the sliding window, while the
 *   window bounds the cache of windowed layers;
 * - configs with a missing or contradictory field fail naming the field;
 * - the memory bound: a BF16 checkpoint keeps every weight matrix in 16 bits on the CPU backend.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../gpu/cpu/backend.ts';
import { numel } from '../gpu/backend.ts';
import { MemorySource } from '../analysis/formats/memory-source.ts';
import { NodeFolderSource } from '../analysis/formats/node-source.ts';
import { parseConfig } from '../analysis/formats/config.ts';
import { SafetensorsCheckpoint } from '../analysis/formats/safetensors.ts';
import { encodeSafetensors } from '../analysis/formats/safetensors-writer.ts';
import { hook } from '../analysis/hooks/points.ts';
import { generate } from '../analysis/model/generate.ts';
import { loadHostModel } from '../analysis/model/load.ts';
import type { Model } from '../analysis/model/model.ts';
import { modelOnBackend } from '../analysis/model/model.ts';
import { run } from '../analysis/model/run.ts';
import { directLogitAttribution } from '../analysis/methods/dla.ts';
import { obsprop } from '../analysis/methods/obsprop.ts';
import type { ModelSpec } from '../analysis/model/spec.ts';
import { mapWeights } from '../analysis/model/weights.ts';
import { scaledInverseFrequencies } from '../analysis/model/rope.ts';
import { loadFixtureModel } from './fixture-model.ts';
import type { FixtureModel } from './reference.ts';
import { FIXTURES, flatten, loadReference, worstMismatch } from './reference.ts';

/** Whether the model's input-0 logits match the reference (within 1e-4 + 1e-4·|ref|). */
async function matchesReference(model: Model, name: FixtureModel): Promise<boolean> {
  const input = loadReference(name).inputs[0];
  const r = await run(model, { ids: input.input_ids });
  return worstMismatch(r.logits!.data, flatten(input.logits!).data) === null;
}

function withSpec(model: Model, change: Partial<ModelSpec>): Model {
  return { ...model, spec: { ...model.spec, ...change } };
}

describe('each new feature is exercised by its fixture', () => {
  it.each<[string, FixtureModel, (m: Model) => Model]>([
    ['the sliding window (Gemma-2 layer 0)', 'gemma2-tiny', (m) => withSpec(m, { layers: m.spec.layers!.map((l) => ({ ...l, window: null })) })],
    ['the sliding window (Mistral)', 'mistral-tiny', (m) => withSpec(m, { layers: undefined })],
    ['the attention softcap', 'gemma2-tiny', (m) => withSpec(m, { attnSoftcap: undefined })],
    ['the final logit softcap', 'gemma2-tiny', (m) => withSpec(m, { finalSoftcap: undefined })],
    ['the Gemma-3 local RoPE base', 'gemma3-tiny', (m) => withSpec(m, { layers: m.spec.layers!.map((l) => ({ ...l, ropeTheta: m.spec.ropeTheta })) })],
    ['the llama3 RoPE scaling', 'llama3-tiny', (m) => withSpec(m, { layers: undefined })],
    ['Phi-3 partial rotary', 'phi3-tiny', (m) => withSpec(m, { rotaryDims: m.spec.dHead })],
    ['the embedding scale', 'gemma3-tiny', (m) => withSpec(m, { embedScale: undefined })],
    ['query_pre_attn_scalar', 'gemma2-tiny', (m) => withSpec(m, { attnScale: undefined })],
  ])('turning off %s (%s) breaks the match', async (_what, name, change) => {
    const model = await loadFixtureModel(name);
    expect(await matchesReference(model, name)).toBe(true);
    expect(await matchesReference(change(model), name)).toBe(false);
  });

  it.each<FixtureModel>(['qwen3-tiny', 'gemma3-tiny', 'olmo2-tiny'])('turning off the q/k norm (%s) breaks the match', async (name) => {
    const model = await loadFixtureModel(name);
    const blocks = model.weights.blocks.map((blk) => ({ ...blk, attn: { ...blk.attn, qNorm: undefined, kNorm: undefined } }));
    expect(await matchesReference({ ...model, weights: { ...model.weights, blocks } }, name)).toBe(false);
  });
});

describe('KV-cached generation with sliding windows', () => {
  it.each<[FixtureModel, number]>([
    ['mistral-tiny', 7],
    ['gemma2-tiny', 4],
    ['gemma3-tiny', 4],
  ])('%s (window %i): every step equals a full re-run, inside and beyond the window; the cache is bounded', async (name, window) => {
    const model = await loadFixtureModel(name);
    const prompt = loadReference(name).inputs[0].input_ids.slice(0, 3);
    const last = model.spec.nLayers - 1;
    const windowed = model.spec.layers!.findIndex((l) => l.window !== null);
    const full = model.spec.layers!.findIndex((l) => l.window === null);
    const capture = [hook.residPost(last), hook.pattern(windowed), ...(full >= 0 ? [hook.pattern(full)] : [])];
    const steps = 2 * window + 2;
    const g = await generate(model, { ids: prompt }, { maxNewTokens: steps, stopTokens: [], capture });
    const ids = [...prompt, ...g.newIds];
    const rerun = await run(model, { ids }, { capture: [hook.residPost(last)] });
    const d = model.spec.dModel;
    const V = model.spec.dVocab;
    const rerunResid = rerun.cache[hook.residPost(last)].data;
    // Greedy: each new token is the argmax of the full re-run's logits at the position before it.
    g.newIds.forEach((id, i) => {
      const row = rerun.logits!.data.subarray((prompt.length - 1 + i) * V, (prompt.length + i) * V);
      expect(row.indexOf(Math.max(...row)), `step ${i}`).toBe(id);
    });
    for (let s = 1; s < g.steps.length; s++) {
      const p = prompt.length - 1 + s;
      const cached = g.steps[s][hook.residPost(last)].data;
      expect(worstMismatch(cached, rerunResid.subarray(p * d, (p + 1) * d)), `step ${s} (position ${p})`).toBeNull();
      // Windowed layers keep window keys (window − 1 cached + the new one); full layers keep all.
      expect(g.steps[s][hook.pattern(windowed)].shape[3]).toBe(Math.min(window, p + 1));
      if (full >= 0) expect(g.steps[s][hook.pattern(full)].shape[3]).toBe(p + 1);
    }
    expect(ids.length).toBeGreaterThan(2 * window);
  });
});

function configOf(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${FIXTURES}${name}/config.json`, 'utf8')) as Record<string, unknown>;
}

describe('config errors name the field', () => {
  it.each<[string, string, Record<string, unknown>, string | RegExp]>([
    ['layer_types of the wrong length', 'gemma2-tiny', { layer_types: ['sliding_attention'] }, 'layer_types has 1 entries, expected num_hidden_layers = 2'],
    ['an unknown layer type', 'gemma3-tiny', { layer_types: ['sliding_attention', 'local', 'full_attention'] }, 'layer_types[1] is "local"'],
    ['a sliding layer without a window', 'gemma2-tiny', { sliding_window: null }, 'layer_types[0] is "sliding_attention" but sliding_window is null'],
    ['an unknown rope_type', 'llama3-tiny', { rope_scaling: { rope_type: 'yarn', factor: 4 } }, 'rope_scaling.rope_type "yarn" is not supported'],
    ['llama3 scaling without its factors', 'llama3-tiny', { rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1 } }, 'rope_scaling.high_freq_factor is missing'],
    ['v5 rope_parameters with an unknown type', 'qwen3-tiny', { rope_parameters: { rope_type: 'dynamic', rope_theta: 1e6 } }, 'rope_parameters.rope_type "dynamic" is not supported'],
    ['longrope factors of the wrong length', 'phi3-tiny', { rope_scaling: { type: 'longrope', short_factor: [1, 1], long_factor: [1, 1] }, original_max_position_embeddings: 64 }, 'rope_scaling.short_factor must list 6 positive numbers'],
    ['an odd partial rotary width', 'phi3-tiny', { partial_rotary_factor: 0.7 }, 'partial_rotary_factor 0.7 gives 11 rotary dims'],
    ['head_dim contradicting hidden/heads (Phi-3)', 'phi3-tiny', { head_dim: 8 }, 'head_dim 8 × num_attention_heads 4 ≠ hidden_size 64'],
    ['heads not a multiple of kv heads', 'olmo2-tiny', { num_key_value_heads: 3 }, 'num_attention_heads 4 is not a multiple of num_key_value_heads 3'],
    ['multimodal gemma3 without text_config', 'gemma3-tiny', { model_type: 'gemma3' }, 'gemma3 needs text_config'],
  ])('%s', (_what, name, change, message) => {
    expect(() => parseConfig({ ...configOf(name), ...change })).toThrow(message);
  });

  it('head_dim × heads ≠ the projection width: the loader names the tensor and head_dim', async () => {
    const folder = `${FIXTURES}qwen3-tiny/`;
    const src = new MemorySource('mem:qwen3-bad-head-dim', {
      'config.json': JSON.stringify({ ...configOf('qwen3-tiny'), head_dim: 8 }),
      'model.safetensors': readFileSync(`${folder}model.safetensors`),
    });
    await expect(loadHostModel(src)).rejects.toThrow(/q_proj\.weight" has shape \[64, 48\], expected \[32, 48\] = \[num_attention_heads·head_dim, hidden_size\]/);
  });
});

describe('multimodal Gemma-3 (text model nested)', () => {
  it.each(['model.language_model.', 'language_model.model.'])('loads the text model from %s tensors, skips the vision tower and says so', async (prefix) => {
    const checkpoint = await SafetensorsCheckpoint.open(new NodeFolderSource(`${FIXTURES}gemma3-tiny`));
    const tensors = await Promise.all(checkpoint.names().map(async (n) => ({ ...(await checkpoint.read(n)), name: n.replace(/^model\./, prefix) })));
    const vision = { name: 'vision_tower.vision_model.post_layernorm.weight', dtype: 'F32' as const, shape: [4], data: new Float32Array(4) };
    const src = new MemorySource('mem:gemma3-multimodal', {
      'config.json': JSON.stringify({ model_type: 'gemma3', text_config: configOf('gemma3-tiny'), bos_token_id: 2, eos_token_id: 1 }),
      'model.safetensors': encodeSafetensors([...tensors, vision]),
    });
    const nested = modelOnBackend({ ...(await loadHostModel(src)), label: 'gemma3-multimodal' }, createCpuBackend());
    expect(nested.spec.modelType).toBe('gemma3');
    expect(nested.spec.skipped).toMatch(/vision tower/);
    expect(await matchesReference(nested, 'gemma3-tiny')).toBe(true);
  });
});

describe('memory: weights stay in their stored dtype', () => {
  it('a BF16 checkpoint on the CPU backend keeps every weight matrix in 16 bits (no f32 copy)', async () => {
    const backend = createCpuBackend();
    const host = await loadHostModel(new NodeFolderSource(`${FIXTURES}phi3-tiny`));
    const model = modelOnBackend({ ...host, label: 'phi3-tiny' }, backend);
    let matrices = 0;
    mapWeights(model.weights, (t) => {
      if (t.shape.length === 2) {
        matrices++;
        expect(backend.storedBytes(t), `[${t.shape}]`).toBe(2 * numel(t.shape));
      }
      return t;
    });
    expect(matrices).toBeGreaterThan(10);
    // Host copies keep the stored dtype too (the loader never widens a matrix).
    mapWeights(host.weights, (w) => {
      if (w.shape.length === 2) expect(w.dtype, w.name).toBe('BF16');
      return w;
    });
    expect(await matchesReference(model, 'phi3-tiny')).toBe(true);
  });
});

describe('ObsProp on the newer families', () => {
  it.each<FixtureModel>(['qwen3-tiny', 'gemma3-tiny', 'olmo2-tiny', 'gemma2-tiny'])(
    '%s: each head pulled back through the frozen norms and caps reproduces its DLA contribution',
    async (name) => {
      const model = await loadFixtureModel(name);
      const ids = loadReference(name).inputs[0].input_ids;
      const dla = await directLogitAttribution(model, { ids });
      // Gemma-2: DLA splits the logit before the final softcap; ObsProp freezes the cap as the gain L/z.
      const gain = dla.metricBeforeSoftcap === null ? 1 : dla.metric / dla.metricBeforeSoftcap;
      const r = await obsprop(model, { positive: [dla.answer], prompt: { ids }, similarity: false, topK: 0 });
      const S = ids.length;
      const patterns = (await run(model, { ids }, { capture: ['blocks.*.attn.hook_pattern'], logits: 'none' })).cache;
      for (const row of r.heads) {
        for (const f of row) {
          const P = patterns[hook.pattern(f.layer)].data; // [1, head, pos, kvPos]
          let viaScores = 0;
          for (let j = 0; j < S; j++) viaScores += P[(f.head * S + (S - 1)) * S + j] * f.scores![j];
          expect(Math.abs(viaScores - gain * dla.heads[f.layer][f.head]), `L${f.layer}H${f.head}`).toBeLessThanOrEqual(1e-4);
        }
      }
      if (name === 'gemma2-tiny') expect(gain).toBeLessThan(0.9); // the cap really acts on this logit
    },
  );
});

describe('RoPE scaling frequencies', () => {
  const base = (j: number) => 1 / Math.pow(5e5, (2 * j) / 16);
  it('llama3 on llama3-tiny (fixtures README): frequency 0 unchanged, 1 smoothed by 0.4095, 2–7 divided by 8', () => {
    const spec = parseConfig(configOf('llama3-tiny'));
    const { invFreq, amplitude } = scaledInverseFrequencies(5e5, 16, spec.layers![0].ropeScaling!, 1);
    expect(amplitude).toBe(1);
    expect(invFreq[0]).toBe(Math.fround(base(0)));
    expect(invFreq[1] / base(1)).toBeCloseTo(0.4095, 4);
    for (let j = 2; j < 8; j++) expect(invFreq[j] / base(j)).toBeCloseTo(1 / 8, 6);
  });

  it('linear divides every frequency (longrope: test/longrope.test.ts)', () => {
    const linear = scaledInverseFrequencies(5e5, 16, { type: 'linear', factor: 4 }, 1);
    linear.invFreq.forEach((f, j) => expect(f / base(j)).toBeCloseTo(0.25, 6));
  });
});
