import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getFloat16 } from '@petamoriken/float16';
import { describe, expect, it } from 'vitest';
import type { HostWeight } from '../../gpu/backend.ts';
import { numel } from '../../gpu/backend.ts';
import { toFloat32 } from '../../gpu/dtype.ts';
import { MemorySource } from '../formats/memory-source.ts';
import { NodeFolderSource } from '../formats/node-source.ts';
import { encodeSafetensors } from '../formats/safetensors-writer.ts';
import { SafetensorsCheckpoint } from '../formats/safetensors.ts';
import type { ModelSource } from '../formats/source.ts';
import { loadHostModel, loadTokenizerIfPresent, type HostModel } from './load.ts';
import type { ModelSpec } from './spec.ts';
import type { ModelWeights } from './weights.ts';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const fixture = (model: string): NodeFolderSource => new NodeFolderSource(FIXTURES + model);

// ---------------------------------------------------------------------------------------------
// Helpers: canonical shapes, and float64 checks of the weights against the goldens' activations.

function expectCanonicalShapes(spec: ModelSpec, w: ModelWeights<HostWeight>): void {
  const { dModel: d, dMlp, dVocab, nHeads, nKvHeads, dHead } = spec;
  const shapes: Array<[string, HostWeight | undefined, number[]]> = [
    ['embed', w.embed, [dVocab, d]],
    ['unembed', w.unembed, [dVocab, d]],
    ['lnFinal.w', w.lnFinal.w, [d]],
  ];
  if (spec.positional === 'learned') shapes.push(['posEmbed', w.posEmbed, [spec.nCtx, d]]);
  expect(w.blocks.length).toBe(spec.nLayers);
  w.blocks.forEach((b, i) => {
    shapes.push(
      [`${i}.ln1.w`, b.ln1!.w, [d]],
      [`${i}.ln2.w`, b.ln2!.w, [d]],
      [`${i}.wQ`, b.attn.wQ, [nHeads * dHead, d]],
      [`${i}.wK`, b.attn.wK, [nKvHeads * dHead, d]],
      [`${i}.wV`, b.attn.wV, [nKvHeads * dHead, d]],
      [`${i}.wO`, b.attn.wO, [d, nHeads * dHead]],
      [`${i}.wIn`, b.mlp.wIn, [dMlp, d]],
      [`${i}.wOut`, b.mlp.wOut, [d, dMlp]],
    );
    if (spec.gatedMlp) shapes.push([`${i}.wGate`, b.mlp.wGate, [dMlp, d]]);
    for (const [name, t, n] of [
      ['bQ', b.attn.bQ, nHeads * dHead], ['bK', b.attn.bK, nKvHeads * dHead], ['bV', b.attn.bV, nKvHeads * dHead],
      ['bO', b.attn.bO, d], ['bIn', b.mlp.bIn, dMlp], ['bOut', b.mlp.bOut, d], ['ln1.b', b.ln1!.b, d], ['ln2.b', b.ln2!.b, d],
    ] as const) {
      if (t !== undefined) shapes.push([`${i}.${name}`, t, [n]]);
    }
  });
  for (const [name, t, shape] of shapes) {
    expect(t, name).toBeDefined();
    expect([...t!.shape], name).toEqual(shape);
    expect(t!.data.length, name).toBe(numel(shape));
  }
}

type Nested = number | null | Nested[];
interface Reference {
  dtype: string;
  cache_layers: number[];
  logits_storage: string;
  inputs: Array<{
    input_ids: number[];
    logits?: number[][];
    logits_positions?: number[];
    logits_at_positions?: number[][];
    cache: Record<string, Nested>;
  }>;
}

function reference(model: string): Reference {
  return JSON.parse(readFileSync(`${FIXTURES}${model}/reference.json`, 'utf8')) as Reference;
}

function flatten(x: Nested): number[] {
  return Array.isArray(x) ? x.flatMap(flatten) : [x as number];
}

/** [S, ...] nested → S rows of flattened values. */
function rows(x: Nested): number[][] {
  return (x as Nested[]).map(flatten);
}

/** y = x · wᵀ + b in float64, w [out, in] row-major. */
function linear(x: readonly number[], w: HostWeight, b?: HostWeight): number[] {
  const wf = toFloat32(w);
  const bf = b === undefined ? undefined : toFloat32(b);
  const [out, inp] = w.shape;
  expect(x.length).toBe(inp);
  const y = new Array<number>(out);
  for (let o = 0; o < out; o++) {
    let s = bf === undefined ? 0 : bf[o];
    for (let i = 0; i < inp; i++) s += x[i] * wf[o * inp + i];
    y[o] = s;
  }
  return y;
}

/** The norm output from its input, the golden's scale and the weights (LN centres, RMS does not). */
function applyNorm(x: readonly number[], scale: number, spec: ModelSpec, w: HostWeight, b?: HostWeight): number[] {
  const wf = toFloat32(w);
  const bf = b === undefined ? undefined : toFloat32(b);
  const mean = spec.normalization === 'layernorm' ? x.reduce((a, v) => a + v, 0) / x.length : 0;
  return x.map((v, i) => ((v - mean) / scale) * wf[i] + (bf === undefined ? 0 : bf[i]));
}

function expectClose(actual: readonly number[], expected: readonly number[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  let at = -1;
  actual.forEach((a, i) => {
    const excess = Math.abs(a - expected[i]) - (1e-4 + 1e-4 * Math.abs(expected[i]));
    if (excess > worst) [worst, at] = [excess, i];
  });
  expect(at, `${what}: index ${at}: ${actual[at]} vs ${expected[at]}`).toBe(-1);
}

/**
 * Recomputes, from each cached layer's inputs and our loaded weights, the golden's q, k, v,
 * attention output, MLP pre-activations and output, and the logits: every weight matrix and
 * bias passes through one of these, in the canonical layout.
 */
function checkAgainstGoldens(model: HostModel, ref: Reference): void {
  const { spec, weights } = model;
  const input = ref.inputs[0];
  const c = input.cache;
  const S = input.input_ids.length;
  const embed = toFloat32(weights.embed);
  const d = spec.dModel;

  // hook_embed rows are the embedding rows, converted to float32 exactly.
  rows(c.hook_embed).forEach((row, t) => {
    const id = input.input_ids[t];
    expect(Array.from(embed.subarray(id * d, (id + 1) * d)), `hook_embed[${t}]`).toEqual(row.map(Math.fround));
  });
  if (weights.posEmbed !== undefined) {
    const pos = toFloat32(weights.posEmbed);
    rows(c.hook_pos_embed).forEach((row, t) => {
      expect(Array.from(pos.subarray(t * d, (t + 1) * d)), `hook_pos_embed[${t}]`).toEqual(row.map(Math.fround));
    });
  }

  for (const l of ref.cache_layers) {
    const blk = weights.blocks[l];
    const h = (name: string): number[][] => rows(c[`blocks.${l}.${name}`]);
    const ln1 = h('ln1.hook_normalized');
    const ln2Scale = h('ln2.hook_scale');
    // LayerNorm's hook_normalized is the full output; RMSNorm's is x/scale, before the weight.
    const ln1Out = ln1.map((x) => (spec.normalization === 'rmsnorm' ? x.map((v, i) => v * toFloat32(blk.ln1!.w)[i]) : x));
    const ln2In = spec.parallelResidual ? h('hook_resid_pre') : h('hook_resid_mid');
    for (let t = 0; t < S; t++) {
      expectClose(linear(ln1Out[t], blk.attn.wQ, blk.attn.bQ), h('attn.hook_q')[t], `L${l} q[${t}]`);
      expectClose(linear(ln1Out[t], blk.attn.wK, blk.attn.bK), h('attn.hook_k')[t], `L${l} k[${t}]`);
      expectClose(linear(ln1Out[t], blk.attn.wV, blk.attn.bV), h('attn.hook_v')[t], `L${l} v[${t}]`);
      expectClose(linear(h('attn.hook_z')[t], blk.attn.wO, blk.attn.bO), h('hook_attn_out')[t], `L${l} attn_out[${t}]`);
      const ln2Out = applyNorm(ln2In[t], ln2Scale[t][0], spec, blk.ln2!.w, blk.ln2!.b);
      if (spec.gatedMlp) {
        expectClose(linear(ln2Out, blk.mlp.wGate!), h('mlp.hook_pre')[t], `L${l} gate[${t}]`);
        expectClose(linear(ln2Out, blk.mlp.wIn, blk.mlp.bIn), h('mlp.hook_pre_linear')[t], `L${l} up[${t}]`);
      } else {
        expectClose(linear(ln2Out, blk.mlp.wIn, blk.mlp.bIn), h('mlp.hook_pre')[t], `L${l} pre[${t}]`);
      }
      expectClose(linear(h('mlp.hook_post')[t], blk.mlp.wOut, blk.mlp.bOut), h('hook_mlp_out')[t], `L${l} mlp_out[${t}]`);
    }
  }

  const finalNormalized = rows(c['ln_final.hook_normalized']);
  const logitsAt = (t: number): number[] => {
    const x = finalNormalized[t];
    const xOut = spec.normalization === 'rmsnorm' ? x.map((v, i) => v * toFloat32(weights.lnFinal.w)[i]) : x;
    return linear(xOut, weights.unembed, weights.bUnembed);
  };
  if (ref.logits_storage === 'full') {
    for (let t = 0; t < S; t++) expectClose(logitsAt(t), input.logits![t], `logits[${t}]`);
  } else {
    input.logits_positions!.forEach((t, k) => expectClose(logitsAt(t), input.logits_at_positions![k], `logits[${t}]`));
  }
}

/** Reads a tensor's raw bytes with an independent minimal header parse (for exactness checks). */
function rawTensorBytes(model: string, name: string): { dtype: string; bytes: Uint8Array } {
  const file = readFileSync(`${FIXTURES}${model}/model.safetensors`);
  const n = Number(file.readBigUInt64LE(0));
  const header = JSON.parse(file.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; data_offsets: [number, number] }>;
  const { dtype, data_offsets: [a, b] } = header[name];
  return { dtype, bytes: new Uint8Array(file.subarray(8 + n + a, 8 + n + b)) };
}

// ---------------------------------------------------------------------------------------------

const FIXTURE_MODELS = [
  { model: 'gpt2-tiny', dtype: 'F32', tied: true, tokenizer: true },
  { model: 'pythia-tiny', dtype: 'F16', tied: false, tokenizer: false },
  { model: 'llama-tiny', dtype: 'BF16', tied: false, tokenizer: false },
  { model: 'qwen2-tiny', dtype: 'F32', tied: true, tokenizer: false },
  { model: 'stories260K-hf', dtype: 'F32', tied: true, tokenizer: true },
] as const;

describe.each(FIXTURE_MODELS)('loading $model', ({ model, dtype, tied, tokenizer }) => {
  const loaded = loadHostModel(fixture(model));

  it('has canonical shapes and keeps the stored dtype', async () => {
    const { spec, weights } = await loaded;
    expectCanonicalShapes(spec, weights);
    expect(weights.blocks[0].attn.wQ.dtype).toBe(dtype);
    expect(weights.blocks[0].attn.wQ.data).toBeInstanceOf(dtype === 'F32' ? Float32Array : Uint16Array);
    expect(weights.embed.dtype).toBe(dtype);
  });

  it(tied ? 'ties the unembedding to the embedding (same object)' : 'has its own unembedding', async () => {
    const { weights } = await loaded;
    expect(weights.unembed === weights.embed).toBe(tied);
  });

  it(tokenizer ? 'has a tokenizer' : 'loads without tokenizer.json (tokenizer null)', async () => {
    expect((await loaded).tokenizer === null).toBe(!tokenizer);
  });

  it('keeps config.json text', async () => {
    expect((await loaded).files.config).toBe(readFileSync(`${FIXTURES}${model}/config.json`, 'utf8'));
  });

  it("reproduces the golden's cached activations from the loaded weights", async () => {
    checkAgainstGoldens(await loaded, reference(model));
  });
});

describe('architecture details', () => {
  it('GPT-2 has every bias; NeoX has biases; Llama has none; Qwen2 has q/k/v biases only', async () => {
    const gpt2 = (await loadHostModel(fixture('gpt2-tiny'))).weights.blocks[0];
    expect([gpt2.attn.bQ, gpt2.attn.bK, gpt2.attn.bV, gpt2.attn.bO, gpt2.mlp.bIn, gpt2.mlp.bOut, gpt2.ln1!.b].every((b) => b !== undefined)).toBe(true);
    const neox = (await loadHostModel(fixture('pythia-tiny'))).weights.blocks[1];
    expect([neox.attn.bQ, neox.attn.bK, neox.attn.bV, neox.attn.bO, neox.mlp.bIn, neox.mlp.bOut, neox.ln2!.b].every((b) => b !== undefined)).toBe(true);
    const llama = (await loadHostModel(fixture('llama-tiny'))).weights.blocks[1];
    expect([llama.attn.bQ, llama.attn.bK, llama.attn.bV, llama.attn.bO, llama.mlp.bIn, llama.mlp.bOut, llama.ln1!.b]).toEqual(
      Array(7).fill(undefined),
    );
    const qwen = (await loadHostModel(fixture('qwen2-tiny'))).weights.blocks[0];
    expect([qwen.attn.bQ, qwen.attn.bK, qwen.attn.bV].every((b) => b !== undefined)).toBe(true);
    expect([qwen.attn.bO, qwen.mlp.bIn, qwen.mlp.bOut]).toEqual([undefined, undefined, undefined]);
  });

  it('converts known F16 and BF16 tensors exactly (checked against an independent decode of the file)', async () => {
    const pythia = await loadHostModel(fixture('pythia-tiny'));
    const rawF16 = rawTensorBytes('pythia-tiny', 'gpt_neox.final_layer_norm.weight');
    expect(rawF16.dtype).toBe('F16');
    const view = new DataView(rawF16.bytes.buffer);
    const expectedF16 = Array.from({ length: 64 }, (_, i) => getFloat16(view, 2 * i, true));
    expect(Array.from(toFloat32(pythia.weights.lnFinal.w))).toEqual(expectedF16);

    const llama = await loadHostModel(fixture('llama-tiny'));
    const rawBf16 = rawTensorBytes('llama-tiny', 'model.layers.1.mlp.down_proj.weight');
    expect(rawBf16.dtype).toBe('BF16');
    const bview = new DataView(rawBf16.bytes.buffer);
    const f32 = new DataView(new ArrayBuffer(4));
    const expectedBf16 = Array.from({ length: 64 * 128 }, (_, i) => {
      f32.setUint32(0, bview.getUint16(2 * i, true) << 16);
      return f32.getFloat32(0);
    });
    expect(Array.from(toFloat32(llama.weights.blocks[1].mlp.wOut))).toEqual(expectedBf16);
  });

  it('splits NeoX query_key_value per head ([H, 3, dHead] blocks), keeping raw F16 bits', async () => {
    const pythia = await loadHostModel(fixture('pythia-tiny'));
    const raw = new Uint16Array(rawTensorBytes('pythia-tiny', 'gpt_neox.layers.0.attention.query_key_value.weight').bytes.buffer);
    const { wK } = pythia.weights.blocks[0].attn;
    // Head 2, dim 5 of K is fused row 2·48 + 16 + 5.
    const row = 2 * 48 + 16 + 5;
    expect(Array.from(wK.data.subarray((2 * 16 + 5) * 64, (2 * 16 + 6) * 64))).toEqual(Array.from(raw.subarray(row * 64, (row + 1) * 64)));
  });
});

/** Wraps a source, recording the size of every read. */
class CountingSource implements ModelSource {
  readonly reads: Array<{ file: string; bytes: number }> = [];
  constructor(private readonly inner: ModelSource) {}
  get label(): string {
    return this.inner.label;
  }
  has(file: string): Promise<boolean> {
    return this.inner.has(file);
  }
  size(file: string): Promise<number> {
    return this.inner.size(file);
  }
  async read(file: string, start: number, end: number): Promise<Uint8Array> {
    this.reads.push({ file, bytes: end - start });
    return this.inner.read(file, start, end);
  }
}

describe('memory', () => {
  it('reads the checkpoint tensor by tensor, never the whole file', async () => {
    const src = new CountingSource(fixture('llama-tiny'));
    await loadHostModel(src);
    const weightReads = src.reads.filter((r) => r.file === 'model.safetensors');
    const tensorCount = (await SafetensorsCheckpoint.open(fixture('llama-tiny'))).names().length;
    expect(weightReads.length).toBe(2 + tensorCount); // length prefix, header, then one read per tensor
    const largest = Math.max(...weightReads.map((r) => r.bytes));
    expect(largest).toBe(512 * 64 * 2); // embed_tokens / lm_head in BF16
    expect(largest).toBeLessThan((await src.size('model.safetensors')) / 4);
  });
});

// ---------------------------------------------------------------------------------------------
// Checkpoints rebuilt in memory: renamed, sharded, broken.

async function fixtureTensors(model: string): Promise<HostWeight[]> {
  const ckpt = await SafetensorsCheckpoint.open(fixture(model));
  const out: HostWeight[] = [];
  for (const name of ckpt.names()) out.push(await ckpt.read(name));
  return out;
}

function fixtureText(model: string, file: string): string {
  return readFileSync(`${FIXTURES}${model}/${file}`, 'utf8');
}

async function llamaTinyWith(
  edit: (tensors: HostWeight[]) => HostWeight[],
  config = fixtureText('llama-tiny', 'config.json'),
): Promise<MemorySource> {
  return new MemorySource('mem:llama-tiny', {
    'config.json': config,
    'model.safetensors': encodeSafetensors(edit(await fixtureTensors('llama-tiny'))),
  });
}

describe('checkpoint variants', () => {
  it('loads Hub-style GPT-2 names without the "transformer." prefix', async () => {
    const tensors = (await fixtureTensors('gpt2-tiny')).map((t) => ({ ...t, name: t.name.replace(/^transformer\./, '') }));
    expect(tensors.some((t) => t.name === 'wte.weight')).toBe(true);
    const src = new MemorySource('mem:gpt2-hub', {
      'config.json': fixtureText('gpt2-tiny', 'config.json'),
      'model.safetensors': encodeSafetensors(tensors),
    });
    const hub = await loadHostModel(src);
    const saved = await loadHostModel(fixture('gpt2-tiny'));
    expect(hub.weights.blocks[1].attn.wV.data).toEqual(saved.weights.blocks[1].attn.wV.data);
    expect(hub.weights.posEmbed?.data).toEqual(saved.weights.posEmbed?.data);
  });

  it('ignores GPT-2 causal-mask buffers', async () => {
    const extra: HostWeight = { name: 'transformer.h.0.attn.bias', dtype: 'F32', shape: [1], data: new Float32Array(1) };
    const src = new MemorySource('mem:gpt2-buffers', {
      'config.json': fixtureText('gpt2-tiny', 'config.json'),
      'model.safetensors': encodeSafetensors([...(await fixtureTensors('gpt2-tiny')), extra]),
    });
    await expect(loadHostModel(src)).resolves.toBeDefined();
  });

  it('loads a sharded checkpoint', async () => {
    const tensors = await fixtureTensors('llama-tiny');
    const half = Math.floor(tensors.length / 2);
    const shards = { 'model-00001-of-00002.safetensors': tensors.slice(0, half), 'model-00002-of-00002.safetensors': tensors.slice(half) };
    const weightMap = Object.fromEntries(Object.entries(shards).flatMap(([file, ts]) => ts.map((t) => [t.name, file])));
    const src = new MemorySource('mem:sharded', {
      'config.json': fixtureText('llama-tiny', 'config.json'),
      'model.safetensors.index.json': JSON.stringify({ metadata: {}, weight_map: weightMap }),
      ...Object.fromEntries(Object.entries(shards).map(([file, ts]) => [file, encodeSafetensors(ts)])),
    });
    const sharded = await loadHostModel(src);
    const whole = await loadHostModel(fixture('llama-tiny'));
    expect(sharded.weights.unembed.data).toEqual(whole.weights.unembed.data);
    expect(sharded.weights.blocks[1].mlp.wGate?.data).toEqual(whole.weights.blocks[1].mlp.wGate?.data);
  });

  it('uses the embedding for tied Llama models even when lm_head.weight is stored too', async () => {
    const config = JSON.stringify({ ...JSON.parse(fixtureText('llama-tiny', 'config.json')), tie_word_embeddings: true });
    const model = await loadHostModel(await llamaTinyWith((t) => t, config));
    expect(model.weights.unembed).toBe(model.weights.embed);
  });
});

describe('bad model folders', () => {
  it('reports a missing tensor, naming it and the file', async () => {
    const src = await llamaTinyWith((ts) => ts.filter((t) => t.name !== 'model.layers.1.mlp.up_proj.weight'));
    await expect(loadHostModel(src)).rejects.toThrow('model.safetensors (mem:llama-tiny): missing tensor "model.layers.1.mlp.up_proj.weight"');
  });

  it('reports a missing lm_head for an untied model', async () => {
    const src = await llamaTinyWith((ts) => ts.filter((t) => t.name !== 'lm_head.weight'));
    await expect(loadHostModel(src)).rejects.toThrow('missing tensor "lm_head.weight"');
  });

  it('reports a tensor whose shape does not match the config, with expected and found shapes', async () => {
    const src = await llamaTinyWith((ts) =>
      ts.map((t) => (t.name === 'model.layers.0.self_attn.k_proj.weight' ? { ...t, shape: [64, 32] } : t)),
    );
    await expect(loadHostModel(src)).rejects.toThrow(
      'model.safetensors (mem:llama-tiny): tensor "model.layers.0.self_attn.k_proj.weight" has shape [64, 32], ' +
        'expected [32, 64] = [num_key_value_heads·head_dim, hidden_size] from config.json',
    );
  });

  it('reports tensors the loader would silently ignore', async () => {
    const extra: HostWeight = { name: 'model.layers.0.mlp.gate_proj.bias', dtype: 'BF16', shape: [128], data: new Uint16Array(128) };
    const src = await llamaTinyWith((ts) => [...ts, extra]);
    await expect(loadHostModel(src)).rejects.toThrow(
      'model.safetensors (mem:llama-tiny): 1 tensor(s) this loader does not use: "model.layers.0.mlp.gate_proj.bias"',
    );
  });

  it('reports a missing config.json', async () => {
    const src = new MemorySource('mem:no-config', { 'model.safetensors': encodeSafetensors([]) });
    await expect(loadHostModel(src)).rejects.toThrow('mem:no-config: config.json not found');
  });

  it('reports a malformed config.json', async () => {
    const src = new MemorySource('mem:bad-config', { 'config.json': '{"model_type": "llama", }' });
    await expect(loadHostModel(src)).rejects.toThrow(/^mem:bad-config: config.json is not valid JSON/);
  });

  it('reports an unsupported model_type', async () => {
    const src = new MemorySource('mem:t5', { 'config.json': JSON.stringify({ model_type: 't5' }) });
    await expect(loadHostModel(src)).rejects.toThrow(
      'mem:t5: config.json: model_type "t5" is not supported (supported: gpt2, gpt_neox, llama, mistral, qwen2, gemma2, gemma3_text, gemma3, qwen3, phi3, olmo2)',
    );
  });

  it('reports a folder without weights', async () => {
    const src = new MemorySource('mem:no-weights', { 'config.json': fixtureText('llama-tiny', 'config.json') });
    await expect(loadHostModel(src)).rejects.toThrow('mem:no-weights: no model.safetensors or model.safetensors.index.json found');
  });

  it('reports a malformed tokenizer.json', async () => {
    const src = new MemorySource('mem:tok', { 'tokenizer.json': '{"model": ' });
    await expect(loadTokenizerIfPresent(src)).rejects.toThrow(/^mem:tok: tokenizer.json is not valid JSON/);
  });
});
