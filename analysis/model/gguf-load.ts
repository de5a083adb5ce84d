/**
 * Loads a GGUF file (llama.cpp's single-file format: weights, hyperparameters and tokenizer)
 * into the same `HostModel` as a Hugging Face folder.
 *
 * The GGUF tensor names (`token_embd`, `blk.N.attn_q`, …) are presented under the Hugging Face
 * names they were converted from, undoing what llama.cpp's converter changed — the Llama Q/K
 * row permutation for its interleaved RoPE, Gemma's `1 + w` norm weights — so the Hugging Face
 * weight maps load them and every hook point means the same thing for both formats. Weights keep
 * their stored type: Q8_0/Q4_0 stay in ggml blocks (row permutation moves whole blocks).
 */
import type { HostWeight } from '../../gpu/backend.ts';
import { toFloat32 } from '../../gpu/dtype.ts';
import { ModelFormatError } from '../formats/errors.ts';
import { GgufFile, type GgufTensorInfo } from '../formats/gguf.ts';
import { ggufConfig, ggufSpec } from '../formats/gguf-config.ts';
import { ggufTokenizer } from '../formats/gguf-tokenizer.ts';
import type { ModelSource } from '../formats/source.ts';
import { mapLlamaFamily, type MappedWeights } from './hf-weight-map.ts';
import { sliceRows, takeRows } from './host-weight-ops.ts';
import type { HostModel } from './load.ts';
import type { ModelSpec } from './spec.ts';
import { WeightReader, type TensorCheckpoint } from './weight-reader.ts';
import type { BlockWeights, NormWeights } from './weights.ts';

/** `blk.N.<part>` → `model.layers.N.<hf part>` for the llama-like families. */
function blockPart(arch: string, part: string): string | undefined {
  const gemma = arch === 'gemma2' || arch === 'gemma3';
  const table: Readonly<Record<string, string>> = {
    attn_norm: 'input_layernorm',
    attn_q: 'self_attn.q_proj',
    attn_k: 'self_attn.k_proj',
    attn_v: 'self_attn.v_proj',
    attn_output: 'self_attn.o_proj',
    attn_qkv: 'self_attn.qkv_proj',
    attn_q_norm: 'self_attn.q_norm',
    attn_k_norm: 'self_attn.k_norm',
    ffn_gate: 'mlp.gate_proj',
    ffn_up: arch === 'phi3' ? 'mlp.gate_up_proj' : 'mlp.up_proj',
    ffn_down: 'mlp.down_proj',
    ffn_norm: gemma ? 'pre_feedforward_layernorm' : 'post_attention_layernorm',
    ...(gemma ? { post_attention_norm: 'post_attention_layernorm', post_ffw_norm: 'post_feedforward_layernorm' } : {}),
  };
  return Object.hasOwn(table, part) ? table[part] : undefined;
}

/** The Hugging Face name of a GGUF tensor of a llama-like family, or undefined if unknown. */
function hfName(arch: string, name: string): string | undefined {
  const top: Readonly<Record<string, string>> = {
    'token_embd.weight': 'model.embed_tokens.weight',
    'output_norm.weight': 'model.norm.weight',
    'output.weight': 'lm_head.weight',
  };
  if (Object.hasOwn(top, name)) return top[name];
  const m = /^blk\.(\d+)\.([a-z_]+)\.(weight|bias)$/.exec(name);
  if (m === null) return undefined;
  const part = blockPart(arch, m[2]);
  return part === undefined ? undefined : `model.layers.${m[1]}.${part}.${m[3]}`;
}

/**
 * Inverse of the converter's `LlamaModel.permute` for one projection with `nHeads` heads: within
 * each head, GGUF row 2j is HF row j and row 2j+1 is HF row j + dHead/2.
 */
export function unpermuteRows(rows: number, nHeads: number): number[] {
  const dHead = rows / nHeads;
  const half = dHead / 2;
  const order: number[] = [];
  for (let h = 0; h < nHeads; h++) {
    for (let r = 0; r < dHead; r++) order.push(h * dHead + (r < half ? 2 * r : 2 * (r - half) + 1));
  }
  return order;
}

/** A GGUF file seen as a Hugging Face checkpoint of its architecture. */
class GgufCheckpointView implements TensorCheckpoint {
  private readonly byHfName = new Map<string, GgufTensorInfo>();

  constructor(
    private readonly file: GgufFile,
    private readonly arch: string,
    private readonly spec: ModelSpec,
  ) {
    for (const name of file.names()) {
      const hf = arch === 'gpt2' ? name : hfName(arch, name);
      // Unknown tensors keep their GGUF name, so the unused-tensor check names them.
      this.byHfName.set(hf ?? name, file.tensor(name));
    }
  }

  get description(): string {
    return this.file.file;
  }

  names(): string[] {
    return [...this.byHfName.keys()];
  }

  has(name: string): boolean {
    return this.byHfName.has(name);
  }

  entry(name: string): { file: string; shape: readonly number[] } {
    const info = this.byHfName.get(name);
    if (info === undefined) throw new ModelFormatError(`${this.file.where}: missing tensor "${name}"`);
    return { file: `${this.file.file} tensor "${info.name}"`, shape: info.shape };
  }

  async read(name: string): Promise<HostWeight> {
    const info = this.byHfName.get(name);
    if (info === undefined) throw new ModelFormatError(`${this.file.where}: missing tensor "${name}"`);
    const w = await this.file.read(info.name);
    const weight = { ...w, name: `${info.name} (${name})` };
    if (this.arch === 'llama') {
      const q = /\.self_attn\.q_proj\.(weight|bias)$/.test(name);
      const k = /\.self_attn\.k_proj\.(weight|bias)$/.test(name);
      if (q || k) {
        const heads = q ? this.spec.nHeads : this.spec.nKvHeads;
        return takeRows(weight, unpermuteRows(weight.shape[0], heads), `${weight.name} un-permuted`);
      }
    }
    if ((this.arch === 'gemma2' || this.arch === 'gemma3') && /norm\.weight$/.test(name)) {
      // The converter stored 1 + w (llama.cpp multiplies by the weight as is); the HF map adds 1 back.
      return { name: `${weight.name} − 1`, dtype: 'F32', shape: weight.shape, data: toFloat32(weight).map((v) => v - 1) };
    }
    return weight;
  }
}

/** GPT-2 in GGUF: weights already [out, in] (the converter transposed Conv1D), qkv fused. */
async function mapGgufGpt2(r: WeightReader, spec: ModelSpec): Promise<MappedWeights> {
  const { dModel: d, dMlp, dVocab, nCtx } = spec;
  const ln = async (name: string): Promise<NormWeights<HostWeight>> => ({
    w: await r.read(`${name}.weight`, [d], '[n_embd]'),
    b: await r.read(`${name}.bias`, [d], '[n_embd]'),
  });
  const embed = await r.read('token_embd.weight', [dVocab, d], '[vocab, n_embd]');
  const posEmbed = await r.read('position_embd.weight', [nCtx, d], '[context_length, n_embd]');
  const blocks: BlockWeights<HostWeight>[] = [];
  for (let i = 0; i < spec.nLayers; i++) {
    const b = `blk.${i}`;
    const qkv = await r.read(`${b}.attn_qkv.weight`, [3 * d, d], '[3·n_embd, n_embd]');
    const qkvBias = await r.read(`${b}.attn_qkv.bias`, [3 * d], '[3·n_embd]');
    blocks.push({
      ln1: await ln(`${b}.attn_norm`),
      attn: {
        wQ: sliceRows(qkv, 0, d, `${qkv.name}[q]`),
        wK: sliceRows(qkv, d, 2 * d, `${qkv.name}[k]`),
        wV: sliceRows(qkv, 2 * d, 3 * d, `${qkv.name}[v]`),
        bQ: sliceRows(qkvBias, 0, d, `${qkvBias.name}[q]`),
        bK: sliceRows(qkvBias, d, 2 * d, `${qkvBias.name}[k]`),
        bV: sliceRows(qkvBias, 2 * d, 3 * d, `${qkvBias.name}[v]`),
        wO: await r.read(`${b}.attn_output.weight`, [d, d], '[n_embd, n_embd]'),
        bO: await r.read(`${b}.attn_output.bias`, [d], '[n_embd]'),
      },
      ln2: await ln(`${b}.ffn_norm`),
      mlp: {
        wIn: await r.read(`${b}.ffn_up.weight`, [dMlp, d], '[feed_forward_length, n_embd]'),
        bIn: await r.read(`${b}.ffn_up.bias`, [dMlp], '[feed_forward_length]'),
        wOut: await r.read(`${b}.ffn_down.weight`, [d, dMlp], '[n_embd, feed_forward_length]'),
        bOut: await r.read(`${b}.ffn_down.bias`, [d], '[n_embd]'),
      },
    });
  }
  const lnFinal = await ln('output_norm');
  const unembed = spec.tiedEmbeddings ? embed : await r.read('output.weight', [dVocab, d], '[vocab, n_embd]');
  return { weights: { embed, posEmbed, blocks, lnFinal, unembed }, ignorable: [] };
}

/** Whether a model path names a GGUF file (the CLI, notebooks and the app decide by this). */
export function isGgufPath(path: string): boolean {
  return /\.gguf$/i.test(path);
}

/** Opens `file` in `source` and loads spec, weights (one tensor at a time) and tokenizer. */
export async function loadGgufHostModel(source: ModelSource, file: string): Promise<HostModel> {
  const gguf = await GgufFile.open(source, file);
  const spec = ggufSpec(gguf);
  const arch = gguf.value('general.architecture') as string;
  const reader = new WeightReader(new GgufCheckpointView(gguf, arch, spec), source.label, 'the GGUF metadata');
  const mapped = arch === 'gpt2' ? await mapGgufGpt2(reader, spec) : await mapLlamaFamily(reader, spec);
  reader.checkAllUsed(mapped.ignorable);
  const tokenizer = ggufTokenizer(gguf);
  return { spec, weights: mapped.weights, tokenizer, files: { config: JSON.stringify({ ...ggufConfig(gguf), architectures: [`${arch} (GGUF)`] }, null, 2) } };
}
