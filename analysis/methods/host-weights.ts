/**
 * Weights read back to the host once per tensor (cached per tensor object), for host-side
 * float64 arithmetic in the methods. Reading through `backend.read` keeps the methods
 * backend-agnostic: every backend hands back f32 data.
 *
 * NOTE: reconstructed by the ObsProp/probes session after it overwrote this file by accident
 * (same name chosen concurrently); the exported API is the one dla.ts and readout.ts import.
 */
import type { Tensor } from '../../gpu/backend.ts';
import type { Model } from '../model/model.ts';

const cache = new WeakMap<Tensor, Promise<Float32Array>>();

/** The values of a weight tensor on the host (read once, then shared: never mutate the result). */
export function hostWeight(model: Model, tensor: Tensor): Promise<Float32Array> {
  let hit = cache.get(tensor);
  if (!hit) {
    hit = model.backend.read([tensor]).then(([data]) => data);
    cache.set(tensor, hit);
  }
  return hit;
}

/** An optional weight (a bias the architecture may lack) on the host, zeros [length] when absent. */
export async function hostWeightOrZeros(model: Model, tensor: Tensor | undefined, length: number): Promise<Float32Array> {
  if (tensor === undefined) return new Float32Array(length);
  const data = await hostWeight(model, tensor);
  if (data.length !== length) throw new Error(`hostWeightOrZeros: weight has ${data.length} values, expected ${length}`);
  return data;
}

/** Rows of the unembedding W_U [vocab, dModel] for the given token ids, each [dModel]. */
export async function unembedRows(model: Model, ids: readonly number[]): Promise<Float32Array[]> {
  const { dModel: d, dVocab: V } = model.spec;
  const wU = await hostWeight(model, model.weights.unembed);
  return ids.map((id) => {
    if (!Number.isInteger(id) || id < 0 || id >= V) throw new Error(`token id ${id} is outside the vocabulary [0, ${V})`);
    return wU.subarray(id * d, (id + 1) * d);
  });
}
