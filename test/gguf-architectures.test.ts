/**
 * GGUF architectures beyond the llama.cpp-written stories260K: each Hugging Face fixture is
 * written as GGUF the way llama.cpp's convert_hf_to_gguf.py does (tensor names, ne order, the
 * Llama Q/K permutation, Gemma's 1 + w norms, GPT-2's transposed Conv1D weights, the {arch}.*
 * keys), loaded back through the GGUF loader and run against the same model loaded from its
 * folder. Where GGUF cannot record a config field, the folder model gets llama.cpp's value
 * (Gemma's query_pre_attn_scalar = head_dim).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../gpu/cpu/backend.ts';
import { toFloat32 } from '../gpu/dtype.ts';
import { encodeGguf, f32, str, u32, type WriterTensor, type WriterValue } from '../analysis/formats/gguf-writer.ts';
import { MemorySource } from '../analysis/formats/memory-source.ts';
import { NodeFolderSource } from '../analysis/formats/node-source.ts';
import { SafetensorsCheckpoint } from '../analysis/formats/safetensors.ts';
import { loadGgufHostModel, unpermuteRows } from '../analysis/model/gguf-load.ts';
import { loadHostModel } from '../analysis/model/load.ts';
import { modelOnBackend } from '../analysis/model/model.ts';
import { run } from '../analysis/model/run.ts';
import { worstMismatch } from './compare.ts';

const FIXTURES = new URL('fixtures/', import.meta.url).pathname;
type Json = Record<string, unknown>;

const LLAMA_PARTS: Readonly<Record<string, string>> = {
  input_layernorm: 'attn_norm', 'self_attn.q_proj': 'attn_q', 'self_attn.k_proj': 'attn_k', 'self_attn.v_proj': 'attn_v',
  'self_attn.o_proj': 'attn_output', 'self_attn.qkv_proj': 'attn_qkv', 'self_attn.q_norm': 'attn_q_norm',
  'self_attn.k_norm': 'attn_k_norm', 'mlp.gate_proj': 'ffn_gate', 'mlp.up_proj': 'ffn_up', 'mlp.gate_up_proj': 'ffn_up',
  'mlp.down_proj': 'ffn_down', post_attention_layernorm: 'ffn_norm',
};
const GEMMA_PARTS: Readonly<Record<string, string>> = {
  ...LLAMA_PARTS, post_attention_layernorm: 'post_attention_norm', pre_feedforward_layernorm: 'ffn_norm', post_feedforward_layernorm: 'post_ffw_norm',
};
const GPT2_PARTS: Readonly<Record<string, [string, boolean]>> = {
  ln_1: ['attn_norm', false], 'attn.c_attn': ['attn_qkv', true], 'attn.c_proj': ['attn_output', true],
  ln_2: ['ffn_norm', false], 'mlp.c_fc': ['ffn_up', true], 'mlp.c_proj': ['ffn_down', true],
};

/** GGUF name and whether to transpose (GPT-2 Conv1D), or null for buffers the converter drops. */
function ggufName(arch: string, hf: string): [string, boolean] | null {
  const name = hf.replace(/^transformer\./, '').replace(/^model\./, '');
  const top: Readonly<Record<string, string>> = {
    'embed_tokens.weight': 'token_embd.weight', 'norm.weight': 'output_norm.weight', 'lm_head.weight': 'output.weight',
    'wte.weight': 'token_embd.weight', 'wpe.weight': 'position_embd.weight', 'ln_f.weight': 'output_norm.weight', 'ln_f.bias': 'output_norm.bias',
  };
  if (Object.hasOwn(top, name)) return [top[name], false];
  const m = /^(?:layers|h)\.(\d+)\.(.+)\.(weight|bias)$/.exec(name);
  if (m === null) throw new Error(`no GGUF name for ${hf}`);
  if (arch === 'gpt2') {
    if (m[2] === 'attn') return null; // attn.bias / attn.masked_bias buffers
    const [part, transpose] = GPT2_PARTS[m[2]];
    return [`blk.${m[1]}.${part}.${m[3]}`, transpose && m[3] === 'weight'];
  }
  const parts = arch.startsWith('gemma') ? GEMMA_PARTS : LLAMA_PARTS;
  return [`blk.${m[1]}.${parts[m[2]]}.${m[3]}`, false];
}

/** The converter's LlamaModel.permute: GGUF row 2j of a head is HF row j, row 2j+1 is HF row j + d/2. */
function permute(values: Float32Array, rows: number, cols: number, heads: number): Float32Array {
  const order = unpermuteRows(rows, heads); // order[hfRow] = ggufRow
  const out = new Float32Array(values.length);
  order.forEach((g, hfRow) => out.set(values.subarray(hfRow * cols, (hfRow + 1) * cols), g * cols));
  return out;
}

function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

function metadata(arch: string, c: Json): Record<string, WriterValue> {
  const n = (k: string) => c[k] as number;
  const meta: Record<string, WriterValue> = { 'general.architecture': str(arch) };
  const a = (k: string, v: WriterValue | undefined) => {
    if (v !== undefined) meta[`${arch}.${k}`] = v;
  };
  if (arch === 'gpt2') {
    a('block_count', u32(n('n_layer')));
    a('context_length', u32(n('n_positions')));
    a('embedding_length', u32(n('n_embd')));
    a('feed_forward_length', u32(n('n_inner') ?? 4 * n('n_embd')));
    a('attention.head_count', u32(n('n_head')));
    a('attention.layer_norm_epsilon', f32(n('layer_norm_epsilon')));
    a('vocab_size', u32(n('vocab_size')));
    return meta;
  }
  const dHead = n('head_dim') ?? n('hidden_size') / n('num_attention_heads');
  a('block_count', u32(n('num_hidden_layers')));
  a('context_length', u32(n('max_position_embeddings')));
  a('embedding_length', u32(n('hidden_size')));
  a('feed_forward_length', u32(n('intermediate_size')));
  a('attention.head_count', u32(n('num_attention_heads')));
  a('attention.head_count_kv', u32(n('num_key_value_heads') ?? n('num_attention_heads')));
  a('attention.key_length', u32(dHead));
  a('attention.value_length', u32(dHead));
  a('rope.freq_base', f32(n('rope_theta') ?? 10000));
  a('attention.layer_norm_rms_epsilon', f32(n('rms_norm_eps')));
  a('rope.dimension_count', u32(arch === 'phi3' ? dHead * ((c.partial_rotary_factor as number) ?? 1) : dHead));
  a('vocab_size', u32(n('vocab_size')));
  if (c.sliding_window !== null && c.sliding_window !== undefined) a('attention.sliding_window', u32(n('sliding_window')));
  if (arch === 'gemma2') {
    a('attn_logit_softcapping', f32(n('attn_logit_softcapping')));
    a('final_logit_softcapping', f32(n('final_logit_softcapping')));
  }
  if (arch === 'gemma3') a('attention.sliding_window_pattern', u32(n('sliding_window_pattern')));
  return meta;
}

async function toGguf(fixture: string, arch: string): Promise<{ gguf: Uint8Array; config: Json }> {
  const folder = new NodeFolderSource(`${FIXTURES}${fixture}`);
  const config = JSON.parse(readFileSync(`${FIXTURES}${fixture}/config.json`, 'utf8')) as Json;
  const ckpt = await SafetensorsCheckpoint.open(folder);
  const tensors: WriterTensor[] = [];
  for (const hf of ckpt.names()) {
    const mapped = ggufName(arch, hf);
    if (mapped === null) continue;
    const [name, doTranspose] = mapped;
    const w = await ckpt.read(hf);
    let values: Float32Array = Float32Array.from(toFloat32(w));
    let shape = [...w.shape];
    if (doTranspose) {
      values = transpose(values, shape[0], shape[1]);
      shape = [shape[1], shape[0]];
    }
    if (arch === 'llama' && /attn_[qk]\.weight$/.test(name)) {
      const heads = name.includes('attn_q') ? (config.num_attention_heads as number) : ((config.num_key_value_heads as number) ?? (config.num_attention_heads as number));
      values = permute(values, shape[0], shape[1], heads);
    }
    if (arch.startsWith('gemma') && /norm\.weight$/.test(name)) values = values.map((v) => v + 1);
    tensors.push({ name, ne: [...shape].reverse(), type: 0, data: new Uint8Array(values.buffer) });
  }
  return { gguf: encodeGguf(metadata(arch, config), tensors), config };
}

const CASES: [string, string][] = [
  ['llama-tiny', 'llama'], ['qwen2-tiny', 'qwen2'], ['qwen3-tiny', 'qwen3'], ['gemma2-tiny', 'gemma2'],
  ['gemma3-tiny', 'gemma3'], ['phi3-tiny', 'phi3'], ['gpt2-tiny', 'gpt2'],
];

describe('GGUF architectures: a converted fixture computes what its folder computes', () => {
  it.each(CASES)('%s as GGUF "%s"', async (fixture, arch) => {
    const { gguf, config } = await toGguf(fixture, arch);
    const fromGguf = await loadGgufHostModel(new MemorySource('mem:gguf', { 'model.gguf': gguf }), 'model.gguf');
    // llama.cpp's Gemma attention scale is 1/√head_dim (GGUF has no query_pre_attn_scalar).
    const folderConfig = arch.startsWith('gemma') ? { ...config, query_pre_attn_scalar: config.head_dim } : config;
    const folder = new MemorySource('mem:hf', {
      'config.json': JSON.stringify(folderConfig),
      'model.safetensors': new Uint8Array(readFileSync(`${FIXTURES}${fixture}/model.safetensors`)),
    });
    const fromFolder = await loadHostModel(folder);
    // GGUF stores the norm epsilon as f32 (and llama.cpp computes with that value).
    expect(fromGguf.spec.normEps).toBe(Math.fround(fromFolder.spec.normEps));
    const comparable = { normEps: 0, bosTokenId: null, eosTokenIds: [] };
    expect({ ...fromGguf.spec, ...comparable }).toEqual({ ...fromFolder.spec, ...comparable });
    const cpu = createCpuBackend();
    const a = modelOnBackend({ ...fromGguf, label: 'gguf' }, cpu);
    const b = modelOnBackend({ ...fromFolder, label: 'folder' }, cpu);
    const ids = Array.from({ length: 12 }, (_, i) => (i * 37 + 5) % fromFolder.spec.dVocab);
    const [ra, rb] = [await run(a, { ids }), await run(b, { ids })];
    expect(worstMismatch(ra.logits!.data, rb.logits!.data, 1e-5, 1e-5)).toBeNull();
  });

  it('refuses an unsupported architecture and RoPE frequency tensors, naming them', async () => {
    const open = (meta: Record<string, WriterValue>, tensors: WriterTensor[] = []) =>
      loadGgufHostModel(new MemorySource('mem:x', { 'm.gguf': encodeGguf(meta, tensors) }), 'm.gguf');
    await expect(open({ 'general.architecture': str('mamba') })).rejects.toThrow(
      'm.gguf (mem:x): GGUF architecture "mamba" is not supported (supported: llama, qwen2, qwen3, gemma2, gemma3, phi3, gpt2)',
    );
    await expect(
      open({ 'general.architecture': str('llama'), 'llama.vocab_size': u32(8) }, [{ name: 'rope_freqs.weight', ne: [4], type: 24, data: new Uint8Array(4) }]),
    ).rejects.toThrow(/tensor "rope_freqs\.weight" \(RoPE frequency factors: Llama-3\.1 \/ Phi-3 long-context scaling\) is not supported yet/);
  });
});
