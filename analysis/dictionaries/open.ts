/**
 * Opening a dictionary folder whatever its format, and checking it against the model it is
 * attached to (hooks exist, widths match) before anything runs.
 */
import { ModelFormatError } from '../formats/errors.ts';
import type { ModelSource } from '../formats/source.ts';
import type { HookPoint } from '../hooks/points.ts';
import type { ModelSpec } from '../model/spec.ts';
import { CIRCUIT_TRACER_CONFIG, loadCircuitTracerSet, readCircuitTracerConfig } from './circuit-tracer.ts';
import type { DictionaryConfig, HostDictionary } from './dictionary.ts';
import type { GemmaScopeOptions } from './gemma-scope.ts';
import { GEMMA_SCOPE_FILE, loadGemmaScope2 } from './gemma-scope.ts';
import { loadSaeLens, SAELENS_CONFIG_FILE } from './saelens.ts';

export interface OpenDictionaryOptions extends GemmaScopeOptions {
  /** The host model's layer count (circuit-tracer sets are found by probing layer_{L} files). */
  readonly nLayers?: number;
}

/**
 * SAELens folder (cfg.json), circuit-tracer transcoder set (config.yaml; one dictionary per
 * layer file) or Gemma Scope 2 file (params.safetensors, or `options.file`).
 */
export async function openDictionaries(source: ModelSource, options: OpenDictionaryOptions = {}): Promise<HostDictionary[]> {
  if (await source.has(SAELENS_CONFIG_FILE)) return [await loadSaeLens(source)];
  if (await source.has(CIRCUIT_TRACER_CONFIG)) {
    const config = await readCircuitTracerConfig(source);
    if (config.modelKind === 'cross_layer_transcoder') {
      throw new ModelFormatError(`${source.label}: a cross-layer transcoder; open it with CrossLayerTranscoder.open (decoders are read lazily)`);
    }
    if (options.nLayers === undefined) throw new Error(`${source.label}: opening a circuit-tracer set needs the model's layer count`);
    return loadCircuitTracerSet(source, options.nLayers);
  }
  if (await source.has(options.file ?? GEMMA_SCOPE_FILE)) return [await loadGemmaScope2(source, options)];
  throw new ModelFormatError(
    `${source.label}: not a dictionary folder (no ${SAELENS_CONFIG_FILE}, ${CIRCUIT_TRACER_CONFIG} or ${options.file ?? GEMMA_SCOPE_FILE})`,
  );
}

/** The width a dictionary sees at a hook: the last axis, or head·dHead for per-head hooks (one head with a head index). */
export function hookWidth(point: HookPoint, spec: ModelSpec, headIndex: number | null): number | null {
  const axes = point.axes;
  if (axes.length === 4 && axes[0] === 'batch' && axes[1] === 'pos' && axes[3] === 'dHead') {
    const heads = axes[2] === 'kvHead' ? spec.nKvHeads : spec.nHeads;
    return headIndex === null ? heads * spec.dHead : spec.dHead;
  }
  if (axes.length !== 3 || axes[0] !== 'batch' || axes[1] !== 'pos') return null;
  switch (axes[2]) {
    case 'dModel':
      return spec.dModel;
    case 'neuron':
      return spec.dMlp;
    case 'one':
      return 1;
    default:
      return null;
  }
}

/** Throws naming the dictionary and hook when it cannot be attached to this model. */
export function checkDictionaryForModel(config: DictionaryConfig, points: readonly HookPoint[], spec: ModelSpec): void {
  const byName = new Map(points.map((p) => [p.name, p]));
  const check = (hook: string, width: number, which: string) => {
    const point = byName.get(hook);
    if (!point) throw new Error(`dictionary ${config.label}: ${which} hook "${hook}" does not exist in this model`);
    const have = hookWidth(point, spec, config.headIndex);
    if (have === null) throw new Error(`dictionary ${config.label}: ${which} hook ${hook} (axes ${point.axes.join(', ')}) cannot carry a dictionary`);
    if (have !== width) {
      throw new Error(`dictionary ${config.label}: ${which} width ${width} does not match ${hook}, which is ${have} wide in this model`);
    }
  };
  check(config.hookIn, config.dIn, 'input');
  check(config.hookOut, config.dOut, 'output');
  if (config.headIndex !== null && config.headIndex >= spec.nHeads) {
    throw new Error(`dictionary ${config.label}: hook_head_index ${config.headIndex} is outside the model's ${spec.nHeads} heads`);
  }
}
