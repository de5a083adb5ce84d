/**
 * phi3-tiny's checkpoint with a longrope config (original context 4, max 16, distinct short and
 * long factors), opened through the real loader; shared by the CPU and WebGPU longrope tests.
 */
import { readFileSync } from 'node:fs';
import type { Backend } from '../gpu/backend.ts';
import { MemorySource } from '../analysis/formats/memory-source.ts';
import type { HostModel } from '../analysis/model/load.ts';
import { loadHostModel } from '../analysis/model/load.ts';
import type { Model } from '../analysis/model/model.ts';
import { modelOnBackend } from '../analysis/model/model.ts';
import { FIXTURES } from './reference.ts';

export const LONGROPE = {
  theta: 1e4, // phi3-tiny's rope_theta
  rotaryDims: 12, // head_dim 16 × partial_rotary_factor 0.75
  short: [1, 2, 3, 4, 5, 6],
  long: [1.5, 3.5, 7, 11, 20, 40],
  originalMax: 4,
  max: 16,
} as const;

const phi3 = JSON.parse(readFileSync(`${FIXTURES}phi3-tiny/config.json`, 'utf8')) as Record<string, unknown>;

export function longropeConfig(scaling: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...phi3,
    max_position_embeddings: LONGROPE.max,
    original_max_position_embeddings: LONGROPE.originalMax,
    rope_scaling: { type: 'longrope', short_factor: LONGROPE.short, long_factor: LONGROPE.long, ...scaling },
  };
}

/** The model on `backend`, and its host weights (for the float64 forward). */
export async function longropeModel(backend: Backend): Promise<{ model: Model; weights: HostModel['weights'] }> {
  const host = await loadHostModel(new MemorySource('mem:phi3-longrope', {
    'config.json': JSON.stringify(longropeConfig()),
    'model.safetensors': readFileSync(`${FIXTURES}phi3-tiny/model.safetensors`),
  }));
  return { model: modelOnBackend({ ...host, label: 'phi3-longrope' }, backend), weights: host.weights };
}
