/**
 * Writes random BF16 checkpoints in the Hugging Face layout, streamed tensor by tensor, shaped
 * like the models of issue 14's scale bench: Llama-3.2-1B (llama3 RoPE scaling, tied) and
 * Gemma-2-2B (softcaps, sliding window 4096, sandwich norms, tied). Matrices are uniform in ±0.05
 * (a 1 Mi-value random block repeated: magnitude matters for timing, not the distribution); norm
 * weights are 1 (Gemma: stored 0, used as 1 + 0).
 */
import { closeSync, mkdtempSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frameSafetensors } from '../analysis/formats/safetensors-writer.ts';
import { seededRandom } from '../gpu/random.ts';

export interface ScaleShape {
  readonly name: string;
  readonly config: Record<string, unknown>;
  readonly tensors: readonly [string, readonly number[]][];
  /** Norm weights are stored as this BF16 pattern. */
  readonly normBits: number;
}

function llamaLikeTensors(layers: number, d: number, mlp: number, heads: number, kvHeads: number, headDim: number, vocab: number, sandwich: boolean): [string, number[]][] {
  const t: [string, number[]][] = [['model.embed_tokens.weight', [vocab, d]]];
  for (let i = 0; i < layers; i++) {
    const p = `model.layers.${i}.`;
    t.push(
      [`${p}input_layernorm.weight`, [d]],
      [`${p}self_attn.q_proj.weight`, [heads * headDim, d]],
      [`${p}self_attn.k_proj.weight`, [kvHeads * headDim, d]],
      [`${p}self_attn.v_proj.weight`, [kvHeads * headDim, d]],
      [`${p}self_attn.o_proj.weight`, [d, heads * headDim]],
      [`${p}post_attention_layernorm.weight`, [d]],
      ...(sandwich ? ([[`${p}pre_feedforward_layernorm.weight`, [d]], [`${p}post_feedforward_layernorm.weight`, [d]]] as [string, number[]][]) : []),
      [`${p}mlp.gate_proj.weight`, [mlp, d]],
      [`${p}mlp.up_proj.weight`, [mlp, d]],
      [`${p}mlp.down_proj.weight`, [d, mlp]],
    );
  }
  t.push(['model.norm.weight', [d]]);
  return t;
}

export const LLAMA_3_2_1B: ScaleShape = {
  name: 'Llama-3.2-1B shape',
  config: {
    model_type: 'llama', hidden_size: 2048, intermediate_size: 8192, num_hidden_layers: 16, num_attention_heads: 32,
    num_key_value_heads: 8, head_dim: 64, vocab_size: 128256, max_position_embeddings: 131072, rms_norm_eps: 1e-5,
    rope_theta: 500000, tie_word_embeddings: true, hidden_act: 'silu', torch_dtype: 'bfloat16', bos_token_id: 128000, eos_token_id: 128001,
    rope_scaling: { rope_type: 'llama3', factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
  },
  tensors: llamaLikeTensors(16, 2048, 8192, 32, 8, 64, 128256, false),
  normBits: 0x3f80,
};

export const GEMMA_2_2B: ScaleShape = {
  name: 'Gemma-2-2B shape',
  config: {
    model_type: 'gemma2', hidden_size: 2304, intermediate_size: 9216, num_hidden_layers: 26, num_attention_heads: 8,
    num_key_value_heads: 4, head_dim: 256, vocab_size: 256000, max_position_embeddings: 8192, rms_norm_eps: 1e-6,
    rope_theta: 10000, query_pre_attn_scalar: 256, attn_logit_softcapping: 50, final_logit_softcapping: 30,
    sliding_window: 4096, tie_word_embeddings: true, hidden_activation: 'gelu_pytorch_tanh', torch_dtype: 'bfloat16',
    bos_token_id: 2, eos_token_id: 1,
  },
  tensors: llamaLikeTensors(26, 2304, 9216, 8, 4, 256, 256000, true),
  normBits: 0x0000,
};

export interface WrittenCheckpoint {
  readonly folder: string;
  readonly fileBytes: number;
}

/** Writes `shape` into a fresh folder under `dir` (default the OS temp dir). */
export function writeCheckpoint(shape: ScaleShape, dir = tmpdir()): WrittenCheckpoint {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, s] of shape.tensors) {
    const bytes = s.reduce((a, b) => a * b, 1) * 2;
    header[name] = { dtype: 'BF16', shape: s, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const folder = mkdtempSync(join(dir, 'probescope-scale-'));
  writeFileSync(join(folder, 'config.json'), JSON.stringify(shape.config, null, 2));
  const path = join(folder, 'model.safetensors');
  const fd = openSync(path, 'w');
  const frame = frameSafetensors(header, new Uint8Array(0));
  writeSync(fd, frame);
  const random = seededRandom(7);
  const block = new Uint16Array(1 << 20);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < block.length; i++) {
    f[0] = (random() - 0.5) * 0.1;
    block[i] = u[0] >>> 16;
  }
  const norms = new Uint16Array(1 << 16).fill(shape.normBits);
  for (const [, s] of shape.tensors) {
    const n = s.reduce((a, b) => a * b, 1);
    const source = s.length === 1 ? norms : block;
    for (let at = 0; at < n; at += source.length) {
      const count = Math.min(source.length, n - at);
      writeSync(fd, new Uint8Array(source.buffer, 0, count * 2));
    }
  }
  closeSync(fd);
  return { folder, fileBytes: frame.length + offset };
}
