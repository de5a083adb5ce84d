/** Output helpers: JSON for machines, short aligned text for people. */
import type { Model } from '../analysis/model/model.ts';

export function modelSummary(model: Model) {
  const s = model.spec;
  return {
    type: s.modelType, n_layers: s.nLayers, n_heads: s.nHeads, n_kv_heads: s.nKvHeads, d_model: s.dModel, d_vocab: s.dVocab,
    // What the checkpoint held but was not loaded (a multimodal Gemma-3's vision tower).
    ...(s.skipped ? { skipped: s.skipped } : {}),
  };
}

export function backendSummary(model: Model) {
  const { name, adapter, features } = model.backend.info;
  return { name, adapter, ...(features ? { features } : {}) };
}

/** Rows of a [batch=1, pos, vocab] array as plain number arrays. */
export function rowsOf(data: Float32Array, rows: number, width: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from(data.subarray(r * width, (r + 1) * width)));
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}
