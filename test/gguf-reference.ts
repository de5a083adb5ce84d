/**
 * stories260K as llama.cpp's converter and quantizer wrote it (test/fixtures/gguf/stories260K:
 * F32, Q8_0 and Q4_0 GGUF files with llama.cpp's logits, a float64 forward of the exactly
 * dequantized weights, and greedy continuations; see its README).
 */
import { readFileSync } from 'node:fs';
import type { Backend } from '../gpu/backend.ts';
import { NodeFolderSource } from '../analysis/formats/node-source.ts';
import { loadGgufHostModel } from '../analysis/model/gguf-load.ts';
import { modelOnBackend, type Model } from '../analysis/model/model.ts';

export const GGUF_DIR = new URL('fixtures/gguf/stories260K/', import.meta.url).pathname;
export const GGUF_FILES = ['f32', 'q8_0', 'q4_0'] as const;
export type GgufFixture = (typeof GGUF_FILES)[number];

export interface GgufReferenceInput {
  readonly name: string;
  readonly input_ids: number[];
  /** llama.cpp's logits [S, 512] per file. */
  readonly logits: Record<GgufFixture, number[][]>;
  /** float64 forward of the exactly dequantized weights. */
  readonly logits_dequant_f64: Record<GgufFixture, number[][]>;
  readonly greedy_new_tokens: Record<GgufFixture, number[]>;
}

export const ggufReference = JSON.parse(readFileSync(`${GGUF_DIR}reference.json`, 'utf8')) as {
  inputs: GgufReferenceInput[];
  greedy_from_bos: { prompt_ids: number[]; new_tokens: Record<GgufFixture, number[]> };
};

export async function loadGgufFixture(file: GgufFixture, backend: Backend): Promise<Model> {
  const host = await loadGgufHostModel(new NodeFolderSource(GGUF_DIR), `${file}.gguf`);
  return modelOnBackend({ ...host, label: `${file}.gguf` }, backend);
}

/** Largest |a − b| over rows [from, to) of a [S, V] reference. */
export function maxAbsDiff(actual: ArrayLike<number>, expected: readonly number[][], from = 0, to = expected.length): number {
  let worst = 0;
  const v = expected[0].length;
  for (let p = from; p < to; p++) for (let i = 0; i < v; i++) worst = Math.max(worst, Math.abs(actual[p * v + i] - expected[p][i]));
  return worst;
}
