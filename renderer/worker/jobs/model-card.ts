/** The model card: what the UI shows about an open model, computed once at load (the load job adds its identity). */
import type { HostWeight, Tensor } from '../../../gpu/backend.ts';
import { numel } from '../../../gpu/backend.ts';
import type { HostModel } from '../../../analysis/model/load.ts';
import type { Model } from '../../../analysis/model/model.ts';
import { mapWeights } from '../../../analysis/model/weights.ts';
import type { ModelCard, TensorTypeCount } from '../contracts.ts';

/** config.json's `architectures[0]`, e.g. "LlamaForCausalLM". */
function architectureOf(configText: string): string | null {
  try {
    const config: unknown = JSON.parse(configText);
    if (typeof config === 'object' && config !== null && 'architectures' in config) {
      const list = (config as { architectures: unknown }).architectures;
      if (Array.isArray(list) && typeof list[0] === 'string') return list[0];
    }
  } catch {
    // The loader already parsed it; unreachable in practice.
  }
  return null;
}

function uniqueWeights(host: HostModel): HostWeight[] {
  const all = new Set<HostWeight>();
  mapWeights(host.weights, (w) => all.add(w));
  return [...all];
}

/** Weights grouped by stored type, most parameters first. */
function tensorTypes(weights: readonly HostWeight[]): TensorTypeCount[] {
  const byType = new Map<string, TensorTypeCount>();
  for (const w of weights) {
    const t = byType.get(w.dtype) ?? { dtype: w.dtype, tensors: 0, parameters: 0, bytes: 0 };
    byType.set(w.dtype, { ...t, tensors: t.tensors + 1, parameters: t.parameters + numel(w.shape), bytes: t.bytes + w.data.byteLength });
  }
  return [...byType.values()].sort((a, b) => b.parameters - a.parameters);
}

/** Bytes the model's weights occupy on its backend. */
function backendBytesOf(model: Model, weightBytes: number): number {
  const stored = (model.backend as Partial<{ storedBytes(t: Tensor): number }>).storedBytes;
  if (typeof stored !== 'function') return weightBytes;
  const tensors = new Set<Tensor>();
  mapWeights(model.weights, (t) => tensors.add(t));
  let bytes = 0;
  for (const t of tensors) bytes += stored.call(model.backend, t);
  return bytes;
}

export function describeModel(host: HostModel, model: Model, backendNote: string | null, loadMs: number): Omit<ModelCard, 'identity'> {
  const { spec } = host;
  const weights = uniqueWeights(host);
  const parameters = weights.reduce((a, w) => a + numel(w.shape), 0);
  const weightBytes = weights.reduce((a, w) => a + w.data.byteLength, 0);
  return {
    label: model.label,
    architecture: architectureOf(host.files.config) ?? spec.modelType,
    modelType: spec.modelType,
    nLayers: spec.nLayers,
    nHeads: spec.nHeads,
    nKvHeads: spec.nKvHeads,
    dModel: spec.dModel,
    dHead: spec.dHead,
    dMlp: spec.dMlp,
    dVocab: spec.dVocab,
    nCtx: spec.nCtx,
    normalization: spec.normalization,
    positional: spec.positional,
    activation: spec.activation,
    gatedMlp: spec.gatedMlp,
    parallelResidual: spec.parallelResidual,
    tiedEmbeddings: spec.tiedEmbeddings,
    parameters,
    dtypes: [...new Set(weights.map((w) => w.dtype))].sort(),
    tensorTypes: tensorTypes(weights),
    weightBytes,
    // Every backend keeps the weights in their stored dtype (norm vectors aside); a backend that
    // can say what its storage takes is asked.
    backendBytes: backendBytesOf(model, weightBytes),
    backend: { name: model.backend.info.name, adapter: model.backend.info.adapter, note: backendNote },
    hasTokenizer: host.tokenizer !== null,
    skipped: spec.skipped ?? null,
    bosTokenId: spec.bosTokenId,
    eosTokenIds: [...spec.eosTokenIds],
    loadMs,
  };
}
