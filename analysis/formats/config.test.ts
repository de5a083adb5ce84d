import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../model/spec.ts';
import { parseConfig, readModelConfig } from './config.ts';
import { MemorySource } from './memory-source.ts';

const FIXTURES = new URL('../../test/fixtures/', import.meta.url);

function fixtureJson(model: string, file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`${model}/${file}`, FIXTURES), 'utf8')) as Record<string, unknown>;
}

function fixtureSpec(model: string): ModelSpec {
  return parseConfig(fixtureJson(model, 'config.json'), fixtureJson(model, 'generation_config.json'));
}

describe('parseConfig on the fixtures', () => {
  it('gpt2-tiny', () => {
    expect(fixtureSpec('gpt2-tiny')).toEqual({
      modelType: 'gpt2', nLayers: 2, nHeads: 4, nKvHeads: 4, dModel: 32, dHead: 8, dMlp: 128, dVocab: 50257,
      nCtx: 64, normalization: 'layernorm', normEps: 1e-5, positional: 'learned', rotaryDims: 0, ropeTheta: 0,
      activation: 'gelu_tanh', gatedMlp: false, parallelResidual: false, tiedEmbeddings: true,
      bosTokenId: 50256, eosTokenIds: [50256],
    } satisfies ModelSpec);
  });

  it('pythia-tiny', () => {
    expect(fixtureSpec('pythia-tiny')).toEqual({
      modelType: 'gpt_neox', nLayers: 2, nHeads: 4, nKvHeads: 4, dModel: 64, dHead: 16, dMlp: 256, dVocab: 512,
      nCtx: 128, normalization: 'layernorm', normEps: 1e-5, positional: 'rotary', rotaryDims: 4, ropeTheta: 10000,
      activation: 'gelu_erf', gatedMlp: false, parallelResidual: true, tiedEmbeddings: false,
      bosTokenId: 0, eosTokenIds: [0],
    } satisfies ModelSpec);
  });

  it('llama-tiny (no head_dim: derived from hidden/heads)', () => {
    expect(fixtureSpec('llama-tiny')).toEqual({
      modelType: 'llama', nLayers: 2, nHeads: 4, nKvHeads: 2, dModel: 64, dHead: 16, dMlp: 128, dVocab: 512,
      nCtx: 128, normalization: 'rmsnorm', normEps: 1e-5, positional: 'rotary', rotaryDims: 16, ropeTheta: 10000,
      activation: 'silu', gatedMlp: true, parallelResidual: false, tiedEmbeddings: false,
      bosTokenId: 1, eosTokenIds: [2],
    } satisfies ModelSpec);
  });

  it('qwen2-tiny', () => {
    expect(fixtureSpec('qwen2-tiny')).toEqual({
      modelType: 'qwen2', nLayers: 2, nHeads: 4, nKvHeads: 2, dModel: 64, dHead: 16, dMlp: 160, dVocab: 512,
      nCtx: 128, normalization: 'rmsnorm', normEps: 1e-6, positional: 'rotary', rotaryDims: 16, ropeTheta: 1e6,
      activation: 'silu', gatedMlp: true, parallelResidual: false, tiedEmbeddings: true,
      bosTokenId: 1, eosTokenIds: [2],
    } satisfies ModelSpec);
  });

  it('stories260K', () => {
    expect(fixtureSpec('stories260K-hf')).toEqual({
      modelType: 'llama', nLayers: 5, nHeads: 8, nKvHeads: 4, dModel: 64, dHead: 8, dMlp: 172, dVocab: 512,
      nCtx: 512, normalization: 'rmsnorm', normEps: 1e-5, positional: 'rotary', rotaryDims: 8, ropeTheta: 10000,
      activation: 'silu', gatedMlp: true, parallelResidual: false, tiedEmbeddings: true,
      bosTokenId: 1, eosTokenIds: [2],
    } satisfies ModelSpec);
  });
});

const llama = (): Record<string, unknown> => fixtureJson('llama-tiny', 'config.json');
const neox = (): Record<string, unknown> => fixtureJson('pythia-tiny', 'config.json');
const gpt2 = (): Record<string, unknown> => fixtureJson('gpt2-tiny', 'config.json');

describe('parseConfig mapping details', () => {
  it('GPT-2: n_inner when given, activation names, untied', () => {
    const spec = parseConfig({ ...gpt2(), n_inner: 100, activation_function: 'gelu', tie_word_embeddings: false });
    expect(spec.dMlp).toBe(100);
    expect(spec.activation).toBe('gelu_erf');
    expect(spec.tiedEmbeddings).toBe(false);
  });

  it('GPT-2: defaults to tied embeddings and gelu_new', () => {
    const c = gpt2();
    delete c.tie_word_embeddings;
    delete c.activation_function;
    const spec = parseConfig(c);
    expect(spec.tiedEmbeddings).toBe(true);
    expect(spec.activation).toBe('gelu_tanh');
  });

  it('GPT-2: rejects attention scaling variants', () => {
    expect(() => parseConfig({ ...gpt2(), scale_attn_by_inverse_layer_idx: true })).toThrow(
      /scale_attn_by_inverse_layer_idx=true is not supported/,
    );
  });

  it('NeoX: rotary dims are floor(dHead·rotary_pct), gelu_new maps to gelu_tanh, defaults', () => {
    const c: Record<string, unknown> = { ...neox(), rotary_pct: 0.3, hidden_act: 'gelu_new' };
    delete c.tie_word_embeddings;
    delete c.rotary_emb_base;
    const spec = parseConfig(c);
    expect(spec.rotaryDims).toBe(4); // floor(16 · 0.3) = 4
    expect(spec.activation).toBe('gelu_tanh');
    expect(spec.tiedEmbeddings).toBe(false);
    expect(spec.ropeTheta).toBe(10000);
    expect(parseConfig({ ...neox(), rotary_pct: 1, use_parallel_residual: false }).rotaryDims).toBe(16);
    expect(parseConfig({ ...neox(), use_parallel_residual: false }).parallelResidual).toBe(false);
  });

  it('NeoX: rejects an odd number of rotary dims', () => {
    expect(() => parseConfig({ ...neox(), rotary_pct: 0.2 })).toThrow(/gives 3 rotary dims of 16; rotate_half needs an even number/);
  });

  it('Llama: defaults for kv heads, rope_theta and tying; head_dim when given', () => {
    const c = llama();
    delete c.num_key_value_heads;
    delete c.rope_theta;
    delete c.tie_word_embeddings;
    const spec = parseConfig({ ...c, head_dim: 32 });
    expect(spec.nKvHeads).toBe(4);
    expect(spec.ropeTheta).toBe(10000);
    expect(spec.tiedEmbeddings).toBe(false);
    expect(spec.dHead).toBe(32);
    expect(spec.rotaryDims).toBe(32);
  });

  it('mistral parses like llama', () => {
    const spec = parseConfig({ ...llama(), model_type: 'mistral', sliding_window: null });
    expect(spec.modelType).toBe('mistral');
    expect(spec.nCtx).toBe(128);
  });

  it('Mistral sliding window: every layer, MistralConfig default 4096, null disables it', () => {
    const windows = (c: object) => parseConfig(c).layers?.map((l) => l.window);
    expect(windows({ ...llama(), model_type: 'mistral', sliding_window: 64 })).toEqual([64, 64]);
    expect(windows({ ...llama(), model_type: 'mistral' })).toEqual([4096, 4096]);
    expect(windows({ ...llama(), model_type: 'mistral', sliding_window: null })).toBeUndefined();
    expect(parseConfig({ ...llama(), model_type: 'mistral', sliding_window: 64 }).nCtx).toBe(128);
  });

  it('Qwen2 sliding window applies only with use_sliding_window, from max_window_layers on', () => {
    const q = fixtureJson('qwen2-tiny', 'config.json');
    const windows = (c: object) => parseConfig(c).layers?.map((l) => l.window);
    expect(windows({ ...q, sliding_window: 32 })).toBeUndefined();
    expect(windows({ ...q, sliding_window: 32, use_sliding_window: true, max_window_layers: 2 })).toBeUndefined();
    expect(windows({ ...q, sliding_window: 32, use_sliding_window: true, max_window_layers: 1 })).toEqual([null, 32]);
  });

  it('eos may be a list; generation_config wins over config', () => {
    const spec = parseConfig({ ...llama(), eos_token_id: 2 }, { bos_token_id: 5, eos_token_id: [7, 8] });
    expect(spec.bosTokenId).toBe(5);
    expect(spec.eosTokenIds).toEqual([7, 8]);
    const none = parseConfig({ ...llama(), bos_token_id: null, eos_token_id: null });
    expect(none.bosTokenId).toBeNull();
    expect(none.eosTokenIds).toEqual([]);
  });

  it('accepts rope_scaling of type "default" (no scaling)', () => {
    expect(parseConfig({ ...llama(), rope_scaling: { rope_type: 'default' } }).ropeTheta).toBe(10000);
  });

  it('reads transformers 5 rope_parameters', () => {
    const c = neox();
    delete c.rotary_pct;
    delete c.rotary_emb_base;
    const spec = parseConfig({ ...c, rope_parameters: { rope_type: 'default', rope_theta: 500, partial_rotary_factor: 0.5 } });
    expect(spec.ropeTheta).toBe(500);
    expect(spec.rotaryDims).toBe(8);
  });
});

describe('parseConfig errors', () => {
  it('rejects an unsupported model_type, naming it and the supported ones', () => {
    expect(() => parseConfig({ ...llama(), model_type: 'bert' })).toThrow(
      'config.json: model_type "bert" is not supported (supported: gpt2, gpt_neox, llama, mistral, qwen2, gemma2, gemma3_text, gemma3, qwen3, phi3, olmo2)',
    );
  });

  it('rejects a config without model_type', () => {
    const c = llama();
    delete c.model_type;
    expect(() => parseConfig(c)).toThrow('config.json: "model_type": missing "model_type" (supported: gpt2');
  });

  it('rejects rope scaling it does not implement, naming the field', () => {
    expect(() => parseConfig({ ...llama(), rope_scaling: { rope_type: 'yarn', factor: 8 } })).toThrow(
      'config.json: rope_scaling.rope_type "yarn" is not supported (supported: default, linear, llama3, longrope, su)',
    );
    expect(() => parseConfig({ ...llama(), rope_scaling: { rope_type: 'llama3', factor: 8 } })).toThrow(
      'config.json: rope_scaling.low_freq_factor is missing',
    );
    expect(() => parseConfig({ ...neox(), rope_scaling: { type: 'linear', factor: 2 } })).toThrow(/rope_scaling .* is not supported/);
  });

  it('names missing and mistyped fields', () => {
    const c = llama();
    delete c.hidden_size;
    expect(() => parseConfig({ ...c, num_hidden_layers: '2' })).toThrow(
      'config.json: "hidden_size": Invalid input: expected number, received undefined; "num_hidden_layers": Invalid input: expected number, received string',
    );
  });

  it('rejects an unknown activation', () => {
    expect(() => parseConfig({ ...llama(), hidden_act: 'quick_gelu' })).toThrow(
      /config.json: hidden_act "quick_gelu" is not supported \(supported: gelu_new, .*silu/,
    );
  });

  it('rejects heads that do not divide the width', () => {
    expect(() => parseConfig({ ...gpt2(), n_head: 5 })).toThrow('gpt2 hidden size 32 is not divisible by the 5 attention heads');
    expect(() => parseConfig({ ...llama(), num_key_value_heads: 3 })).toThrow(
      'num_attention_heads 4 is not a multiple of num_key_value_heads 3',
    );
  });

  it('rejects a malformed generation_config.json, naming it', () => {
    expect(() => parseConfig(llama(), { eos_token_id: 'x' })).toThrow(/^generation_config.json: "eos_token_id": Invalid input/);
  });

  it('rejects a config that is not an object', () => {
    expect(() => parseConfig([1])).toThrow('config.json: expected a JSON object');
  });
});

describe('readModelConfig', () => {
  it('reports a missing config.json, naming the file and folder', async () => {
    await expect(readModelConfig(new MemorySource('mem:empty', {}))).rejects.toThrow('mem:empty: config.json not found');
  });

  it('reports malformed config.json, naming the file', async () => {
    await expect(readModelConfig(new MemorySource('mem:bad', { 'config.json': '{"model_type": "llama",' }))).rejects.toThrow(
      /^mem:bad: config.json is not valid JSON \(/,
    );
  });

  it('adds the folder to config errors', async () => {
    const src = new MemorySource('mem:bert', { 'config.json': JSON.stringify({ model_type: 'bert' }) });
    await expect(readModelConfig(src)).rejects.toThrow('mem:bert: config.json: model_type "bert" is not supported');
  });

  it('returns the spec and the raw text', async () => {
    const text = JSON.stringify(llama());
    const src = new MemorySource('mem:llama', { 'config.json': text, 'generation_config.json': '{"eos_token_id": [2, 3]}' });
    const { spec, configText } = await readModelConfig(src);
    expect(configText).toBe(text);
    expect(spec.eosTokenIds).toEqual([2, 3]);
  });
});
