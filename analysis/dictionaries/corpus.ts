/**
 * Training data for dictionaries: a corpus of the model's own seeded samples (so a model that
 * ships without a data set, like stories260K, can still have dictionaries), and the activations
 * at a dictionary's hooks over a corpus.
 */
import type { Model } from '../model/model.ts';
import { generate } from '../model/generate.ts';
import { run } from '../model/run.ts';
import type { TrainData } from './train.ts';

export interface SampleCorpusOptions {
  readonly samples: number;
  /** Tokens per sample, BOS included. */
  readonly length: number;
  readonly seed: number;
  readonly temperature?: number;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

/** `samples` sequences sampled from BOS, sample i with seed `seed + i` (end-of-text tokens kept out). */
export async function sampleCorpus(model: Model, options: SampleCorpusOptions): Promise<number[][]> {
  const bos = model.spec.bosTokenId;
  if (bos === null) throw new Error(`${model.label} has no BOS token to start samples from`);
  const corpus: number[][] = [];
  for (let i = 0; i < options.samples; i++) {
    options.signal?.throwIfAborted();
    const r = await generate(model, { ids: [bos] }, {
      maxNewTokens: options.length - 1,
      temperature: options.temperature ?? 1,
      seed: options.seed + i,
      stopTokens: [],
    });
    const eos = new Set(model.spec.eosTokenIds);
    const cut = r.newIds.findIndex((id) => eos.has(id));
    corpus.push([bos, ...(cut < 0 ? r.newIds : r.newIds.slice(0, cut))]);
    options.onProgress?.(i + 1, options.samples);
  }
  return corpus;
}

/** Every position of every sequence: inputs at `hookIn`, targets at `hookOut` (omitted when equal). */
export async function collectActivations(model: Model, corpus: readonly (readonly number[])[], hookIn: string, hookOut = hookIn): Promise<TrainData> {
  const ins: Float32Array[] = [];
  const outs: Float32Array[] = [];
  let dIn = 0;
  let dOut = 0;
  for (const ids of corpus) {
    const r = await run(model, { ids }, { capture: [hookIn, hookOut], logits: 'none' });
    const a = r.cache[hookIn];
    const b = r.cache[hookOut];
    dIn = a.shape[a.shape.length - 1];
    dOut = b.shape[b.shape.length - 1];
    ins.push(a.data);
    outs.push(b.data);
  }
  const join = (parts: Float32Array[]) => {
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  const inputs = join(ins);
  return { inputs, targets: hookIn === hookOut ? undefined : join(outs), n: inputs.length / dIn, dIn, dOut };
}
