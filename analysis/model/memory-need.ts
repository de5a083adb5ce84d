/**
 * What a safetensors checkpoint will need in memory once loaded, read from its headers alone
 * (before any weight byte is fetched). Weights stay in their stored dtype on the host and on
 * every backend, so the need is the stored bytes of the tensors the model uses (a multimodal
 * Gemma-3's vision tower is skipped) plus norm vectors widened to f32 (negligible).
 */
import { SafetensorsCheckpoint } from '../formats/safetensors.ts';
import type { ModelSource } from '../formats/source.ts';
import type { ModelSpec } from './spec.ts';

export interface MemoryNeed {
  /** Stored bytes of the weights the model loads. */
  readonly weightBytes: number;
  readonly tensors: number;
  /** The largest single tensor (one allocation / GPU buffer). */
  readonly largest: { readonly name: string; readonly bytes: number };
  /** Stored dtypes, e.g. ["BF16"]. */
  readonly dtypes: readonly string[];
}

/** Tensors of a multimodal checkpoint that the text model never reads. */
const SKIPPED = /^(model\.)?(vision_tower|multi_modal_projector)\./;

export async function checkpointMemoryNeed(source: ModelSource, spec: ModelSpec): Promise<MemoryNeed> {
  const checkpoint = await SafetensorsCheckpoint.open(source);
  let weightBytes = 0;
  let tensors = 0;
  let largest = { name: '', bytes: 0 };
  const dtypes = new Set<string>();
  for (const name of checkpoint.names()) {
    if (spec.modelType === 'gemma3' && SKIPPED.test(name)) continue;
    const entry = checkpoint.entry(name);
    const bytes = entry.end - entry.start;
    weightBytes += bytes;
    tensors++;
    dtypes.add(entry.dtype);
    if (bytes > largest.bytes) largest = { name, bytes };
  }
  return { weightBytes, tensors, largest, dtypes: [...dtypes].sort() };
}
