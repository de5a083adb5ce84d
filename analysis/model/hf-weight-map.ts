/**
 * Hugging Face tensor names and layouts → the canonical `ModelWeights` layout (weights.ts), per
 * architecture. Each function reads the tensors it needs in order, one at a time, and returns
 * the regular expressions of checkpoint entries it deliberately ignores (non-parameter buffers).
 */
import type { HostWeight } from '../../gpu/backend.ts';
import { toFloat32 } from '../../gpu/dtype.ts';
import type { ModelSpec } from './spec.ts';
import { blockNorms } from './spec.ts';
import type { AttentionWeights, BlockWeights, MlpWeights, ModelWeights, NormWeights } from './weights.ts';
import { sliceRows, takeRows, transpose2d } from './host-weight-ops.ts';
import type { WeightReader } from './weight-reader.ts';

export interface MappedWeights {
  readonly weights: ModelWeights<HostWeight>;
  /** Checkpoint entries that are not parameters of this architecture (skipped on purpose). */
  readonly ignorable: readonly RegExp[];
}

/** The output matrix: the embedding itself when tied (same object), else `name` [vocab, d]. */
async function unembedding(r: WeightReader, spec: ModelSpec, embed: HostWeight, name: string): Promise<HostWeight> {
  return spec.tiedEmbeddings ? embed : r.read(name, [spec.dVocab, spec.dModel], '[vocab_size, hidden_size]');
}

// ---------------------------------------------------------------------------------------------
// GPT-2: Conv1D weights are stored [in, out]; c_attn fuses q | k | v along the output axis.

export async function mapGpt2(r: WeightReader, spec: ModelSpec): Promise<MappedWeights> {
  const { dModel: d, dMlp, dVocab, nCtx } = spec;
  // save_pretrained on GPT2LMHeadModel prefixes "transformer."; Hub GPT-2 checkpoints do not.
  const p = r.has('transformer.wte.weight') || !r.has('wte.weight') ? 'transformer.' : '';
  const ln = async (name: string): Promise<NormWeights<HostWeight>> => ({
    w: await r.read(`${name}.weight`, [d], '[n_embd]'),
    b: await r.read(`${name}.bias`, [d], '[n_embd]'),
  });

  const embed = await r.read(`${p}wte.weight`, [dVocab, d], '[vocab_size, n_embd]');
  const posEmbed = await r.read(`${p}wpe.weight`, [nCtx, d], '[n_positions, n_embd]');
  const blocks: BlockWeights<HostWeight>[] = [];
  for (let i = 0; i < spec.nLayers; i++) {
    const h = `${p}h.${i}`;
    const ln1 = await ln(`${h}.ln_1`);
    // [d, 3d] → [3d, d]: rows 0..d are W_Q, d..2d W_K, 2d..3d W_V (head h = rows h·dHead…).
    const cAttnName = `${h}.attn.c_attn.weight`;
    const cAttn = transpose2d(await r.read(cAttnName, [d, 3 * d], '[n_embd, 3·n_embd] (Conv1D [in, out])'));
    const cAttnBiasName = `${h}.attn.c_attn.bias`;
    const cAttnBias = await r.read(cAttnBiasName, [3 * d], '[3·n_embd]');
    const attn = {
      wQ: sliceRows(cAttn, 0, d, `${cAttnName}[q].T`),
      wK: sliceRows(cAttn, d, 2 * d, `${cAttnName}[k].T`),
      wV: sliceRows(cAttn, 2 * d, 3 * d, `${cAttnName}[v].T`),
      bQ: sliceRows(cAttnBias, 0, d, `${cAttnBiasName}[q]`),
      bK: sliceRows(cAttnBias, d, 2 * d, `${cAttnBiasName}[k]`),
      bV: sliceRows(cAttnBias, 2 * d, 3 * d, `${cAttnBiasName}[v]`),
      wO: transpose2d(await r.read(`${h}.attn.c_proj.weight`, [d, d], '[n_embd, n_embd] (Conv1D [in, out])')),
      bO: await r.read(`${h}.attn.c_proj.bias`, [d], '[n_embd]'),
    };
    const ln2 = await ln(`${h}.ln_2`);
    const mlp = {
      wIn: transpose2d(await r.read(`${h}.mlp.c_fc.weight`, [d, dMlp], '[n_embd, n_inner] (Conv1D [in, out])')),
      bIn: await r.read(`${h}.mlp.c_fc.bias`, [dMlp], '[n_inner]'),
      wOut: transpose2d(await r.read(`${h}.mlp.c_proj.weight`, [dMlp, d], '[n_inner, n_embd] (Conv1D [in, out])')),
      bOut: await r.read(`${h}.mlp.c_proj.bias`, [d], '[n_embd]'),
    };
    blocks.push({ ln1, ln2, attn, mlp });
  }
  const lnFinal = await ln(`${p}ln_f`);
  const unembed = await unembedding(r, spec, embed, 'lm_head.weight');
  return {
    weights: { embed, posEmbed, blocks, lnFinal, unembed },
    // Older checkpoints store the causal mask buffers attn.bias / attn.masked_bias.
    ignorable: [/^(transformer\.)?h\.\d+\.attn\.(bias|masked_bias)$/, ...(spec.tiedEmbeddings ? [/^lm_head\.weight$/] : [])],
  };
}

// ---------------------------------------------------------------------------------------------
// GPT-NeoX: query_key_value [3·H·dHead, d] is laid out per head: head h's rows are
// q (dHead rows) | k | v, i.e. the output viewed as [H, 3, dHead].

/** Rows of the fused qkv tensor that belong to `part` (0 q, 1 k, 2 v), in head order. */
function neoxRows(nHeads: number, dHead: number, part: number): number[] {
  const rows: number[] = [];
  for (let h = 0; h < nHeads; h++) for (let k = 0; k < dHead; k++) rows.push(h * 3 * dHead + part * dHead + k);
  return rows;
}

export async function mapNeox(r: WeightReader, spec: ModelSpec): Promise<MappedWeights> {
  const { dModel: d, dMlp, dVocab, nHeads, dHead } = spec;
  const hd = nHeads * dHead;
  const ln = async (name: string): Promise<NormWeights<HostWeight>> => ({
    w: await r.read(`${name}.weight`, [d], '[hidden_size]'),
    b: await r.read(`${name}.bias`, [d], '[hidden_size]'),
  });
  const [qRows, kRows, vRows] = [0, 1, 2].map((part) => neoxRows(nHeads, dHead, part));

  const embed = await r.read('gpt_neox.embed_in.weight', [dVocab, d], '[vocab_size, hidden_size]');
  const blocks: BlockWeights<HostWeight>[] = [];
  for (let i = 0; i < spec.nLayers; i++) {
    const l = `gpt_neox.layers.${i}`;
    const ln1 = await ln(`${l}.input_layernorm`);
    const ln2 = await ln(`${l}.post_attention_layernorm`);
    const qkvName = `${l}.attention.query_key_value.weight`;
    const qkv = await r.read(qkvName, [3 * hd, d], '[3·hidden_size, hidden_size]');
    const qkvBiasName = `${l}.attention.query_key_value.bias`;
    const qkvBias = await r.readOptional(qkvBiasName, [3 * hd], '[3·hidden_size]');
    const split = (w: HostWeight | undefined, rows: number[], tag: string): HostWeight | undefined =>
      w === undefined ? undefined : takeRows(w, rows, `${w.name}[${tag}]`);
    const attn = {
      wQ: takeRows(qkv, qRows, `${qkvName}[q]`),
      wK: takeRows(qkv, kRows, `${qkvName}[k]`),
      wV: takeRows(qkv, vRows, `${qkvName}[v]`),
      bQ: split(qkvBias, qRows, 'q'),
      bK: split(qkvBias, kRows, 'k'),
      bV: split(qkvBias, vRows, 'v'),
      wO: await r.read(`${l}.attention.dense.weight`, [d, hd], '[hidden_size, hidden_size]'),
      bO: await r.readOptional(`${l}.attention.dense.bias`, [d], '[hidden_size]'),
    };
    const mlp = {
      wIn: await r.read(`${l}.mlp.dense_h_to_4h.weight`, [dMlp, d], '[intermediate_size, hidden_size]'),
      bIn: await r.readOptional(`${l}.mlp.dense_h_to_4h.bias`, [dMlp], '[intermediate_size]'),
      wOut: await r.read(`${l}.mlp.dense_4h_to_h.weight`, [d, dMlp], '[hidden_size, intermediate_size]'),
      bOut: await r.readOptional(`${l}.mlp.dense_4h_to_h.bias`, [d], '[hidden_size]'),
    };
    blocks.push({ ln1, ln2, attn, mlp });
  }
  const lnFinal = await ln('gpt_neox.final_layer_norm');
  const unembed = await unembedding(r, spec, embed, 'embed_out.weight');
  return {
    weights: { embed, blocks, lnFinal, unembed },
    ignorable: [
      /^gpt_neox\.layers\.\d+\.attention\.(bias|masked_bias|rotary_emb\.inv_freq)$/,
      /^gpt_neox\.rotary_emb\.inv_freq$/,
      ...(spec.tiedEmbeddings ? [/^embed_out\.weight$/] : []),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Llama-style decoders (Llama, Mistral, Qwen2/3, Phi-3, OLMo-2, Gemma-2/3): nn.Linear weights
// already [out, in]. Biases (Qwen2's q/k/v, Llama's attention_bias / mlp_bias) are taken when
// present: their absence means a zero bias. Phi-3 fuses qkv_proj and gate_up_proj (split here,
// in the stored dtype). Gemma's RMSNorm weights w are used as 1 + w: folded here into small F32
// vectors, so the forward pass and every method see the effective weight.

/** Where the text model's tensors live: `model.`, or nested in a multimodal Gemma-3 checkpoint. */
function textModelPrefix(r: WeightReader): { model: string; lmHead: string } {
  if (r.has('model.language_model.embed_tokens.weight')) return { model: 'model.language_model.', lmHead: 'lm_head.weight' };
  if (r.has('language_model.model.embed_tokens.weight')) return { model: 'language_model.model.', lmHead: 'language_model.lm_head.weight' };
  return { model: 'model.', lmHead: 'lm_head.weight' };
}

/** Gemma's (1 + w) as an F32 vector (norm weights are vectors: no matrix is widened). */
function plusOne(w: HostWeight): HostWeight {
  const values = toFloat32(w);
  return { name: `1 + ${w.name}`, dtype: 'F32', shape: w.shape, data: values.map((v) => 1 + v) };
}

export async function mapLlamaFamily(r: WeightReader, spec: ModelSpec): Promise<MappedWeights> {
  const { dModel: d, dMlp, dVocab, nHeads, nKvHeads, dHead } = spec;
  const gemma = spec.modelType === 'gemma2' || spec.modelType === 'gemma3_text' || spec.modelType === 'gemma3';
  const layout = blockNorms(spec);
  const prefix = textModelPrefix(r);
  const norm = async (name: string, size = d, why = '[hidden_size]'): Promise<NormWeights<HostWeight>> => {
    const w = await r.read(`${name}.weight`, [size], why);
    return { w: gemma ? plusOne(w) : w };
  };
  /** nn.Linear: weight [out, in], bias [out] when the checkpoint has one. */
  const linear = async (
    name: string,
    [out, outWhy]: [number, string],
    [inp, inWhy]: [number, string],
  ): Promise<[HostWeight, HostWeight | undefined]> => [
    await r.read(`${name}.weight`, [out, inp], `[${outWhy}, ${inWhy}]`),
    await r.readOptional(`${name}.bias`, [out], `[${outWhy}]`),
  ];
  const hidden: [number, string] = [d, 'hidden_size'];
  const qOut: [number, string] = [nHeads * dHead, 'num_attention_heads·head_dim'];
  const kvOut: [number, string] = [nKvHeads * dHead, 'num_key_value_heads·head_dim'];
  const mlpWidth: [number, string] = [dMlp, 'intermediate_size'];
  const fused = spec.modelType === 'phi3';

  const embed = await r.read(`${prefix.model}embed_tokens.weight`, [dVocab, d], '[vocab_size, hidden_size]');
  const blocks: BlockWeights<HostWeight>[] = [];
  for (let i = 0; i < spec.nLayers; i++) {
    const l = `${prefix.model}layers.${i}`;
    const ln1 = layout === 'post' ? undefined : await norm(`${l}.input_layernorm`);
    let attn: AttentionWeights<HostWeight>;
    if (fused) {
      const qkvName = `${l}.self_attn.qkv_proj.weight`;
      const qkv = await r.read(qkvName, [(nHeads + 2 * nKvHeads) * dHead, d], '[(num_attention_heads + 2·num_key_value_heads)·head_dim, hidden_size]');
      const q = nHeads * dHead;
      const kv = nKvHeads * dHead;
      const [wO] = await linear(`${l}.self_attn.o_proj`, hidden, qOut);
      attn = {
        wQ: sliceRows(qkv, 0, q, `${qkvName}[q]`),
        wK: sliceRows(qkv, q, q + kv, `${qkvName}[k]`),
        wV: sliceRows(qkv, q + kv, q + 2 * kv, `${qkvName}[v]`),
        wO,
      };
    } else {
      const [wQ, bQ] = await linear(`${l}.self_attn.q_proj`, qOut, hidden);
      const [wK, bK] = await linear(`${l}.self_attn.k_proj`, kvOut, hidden);
      const [wV, bV] = await linear(`${l}.self_attn.v_proj`, kvOut, hidden);
      const [wO, bO] = await linear(`${l}.self_attn.o_proj`, hidden, qOut);
      attn = { wQ, bQ, wK, bK, wV, bV, wO, bO };
    }
    if (spec.qkNorm === 'head') {
      attn = { ...attn, qNorm: await norm(`${l}.self_attn.q_norm`, dHead, '[head_dim]'), kNorm: await norm(`${l}.self_attn.k_norm`, dHead, '[head_dim]') };
    } else if (spec.qkNorm === 'projection') {
      attn = {
        ...attn,
        qNorm: await norm(`${l}.self_attn.q_norm`, nHeads * dHead, '[num_attention_heads·head_dim]'),
        kNorm: await norm(`${l}.self_attn.k_norm`, nKvHeads * dHead, '[num_key_value_heads·head_dim]'),
      };
    }
    // Llama's post_attention_layernorm is the pre-MLP norm; Gemma's and OLMo-2's is on the attention output.
    const ln1Post = layout === 'pre' ? undefined : await norm(`${l}.post_attention_layernorm`);
    const ln2 = layout === 'pre' ? await norm(`${l}.post_attention_layernorm`) : layout === 'sandwich' ? await norm(`${l}.pre_feedforward_layernorm`) : undefined;
    const ln2Post = layout === 'pre' ? undefined : await norm(`${l}.post_feedforward_layernorm`);
    let mlp: MlpWeights<HostWeight>;
    if (fused) {
      const gateUpName = `${l}.mlp.gate_up_proj.weight`;
      const gateUp = await r.read(gateUpName, [2 * dMlp, d], '[2·intermediate_size, hidden_size]');
      const [wOut] = await linear(`${l}.mlp.down_proj`, hidden, mlpWidth);
      mlp = { wGate: sliceRows(gateUp, 0, dMlp, `${gateUpName}[gate]`), wIn: sliceRows(gateUp, dMlp, 2 * dMlp, `${gateUpName}[up]`), wOut };
    } else {
      // Only the weight: the canonical layout has no gate bias, so a checkpoint with one (mlp_bias)
      // is rejected by the unused-tensor check rather than loaded wrongly.
      const wGate = await r.read(`${l}.mlp.gate_proj.weight`, [dMlp, d], '[intermediate_size, hidden_size]');
      const [wIn, bIn] = await linear(`${l}.mlp.up_proj`, mlpWidth, hidden);
      const [wOut, bOut] = await linear(`${l}.mlp.down_proj`, hidden, mlpWidth);
      mlp = { wIn, bIn, wGate, wOut, bOut };
    }
    blocks.push({ ln1, ln2, ln1Post, ln2Post, attn, mlp });
  }
  const lnFinal = await norm(`${prefix.model}norm`);
  const unembed = await unembedding(r, spec, embed, prefix.lmHead);
  const escape = (t: string) => t.replace(/\./g, '\\.');
  return {
    weights: { embed, blocks, lnFinal, unembed },
    ignorable: [
      /\.rotary_emb\.inv_freq$/,
      ...(spec.tiedEmbeddings ? [new RegExp(`^${escape(prefix.lmHead)}$`)] : []),
      // Multimodal Gemma-3: the vision tower and its projector are not loaded (spec.skipped says so).
      ...(spec.modelType === 'gemma3' ? [/^(model\.)?vision_tower\./, /^(model\.)?multi_modal_projector\./] : []),
    ],
  };
}
