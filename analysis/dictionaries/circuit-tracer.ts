/**
 * circuit-tracer transcoders.
 *
 * Per-layer transcoder sets (`model_kind: transcoder_set`): `config.yaml` with
 * `feature_input_hook` / `feature_output_hook` (relative to `blocks.{L}.`), and one
 * `layer_{L}.safetensors` per layer holding W_enc [d_transcoder, d_model] (the transpose of
 * SAELens's), W_dec [d_transcoder, d_model], b_enc, b_dec, `activation_function.threshold`
 * (JumpReLU: pre·[pre > threshold]; ReLU without it) and optionally W_skip [d_model, d_model]
 * (output += x·W_skipᵀ). The layer index is taken from the file name.
 *
 * Cross-layer transcoders (`model_kind: cross_layer_transcoder`): `W_enc_{i}.safetensors` with
 * W_enc_{i} [d_transcoder, d_model], b_enc_{i}, b_dec_{i}, threshold_{i}, W_skip_{i} (optional,
 * output += x·W_skip: circuit-tracer's CLT multiplies it untransposed), and
 * `W_dec_{i}.safetensors` with W_dec_{i} [d_transcoder, n_layers − i, d_model]: feature f of
 * layer i writes W_dec_{i}[f, j − i] into every layer j ≥ i. Decoder rows are read lazily, by
 * feature slices (one range read per slice), as circuit-tracer's lazy decoder does.
 *
 * `cltLayers` splits a CLT into what both its users need, layer by layer: layer i's features as an
 * ordinary transcoder (encoder i, activation, its rows into layer i, b_dec_i, skip) plus its rows
 * into every later layer. Attribution graphs (methods/attribution-graph/from-dictionary.ts) and
 * the forward-pass splice (splice.ts) both read CLTs through it.
 */
import { parse as parseYaml } from 'yaml';
import type { HostWeight } from '../../gpu/backend.ts';
import { ModelFormatError } from '../formats/errors.ts';
import { readTextFile } from '../formats/json-file.ts';
import type { TensorEntry } from '../formats/safetensors.ts';
import { readSafetensorsHeader, readTensor } from '../formats/safetensors.ts';
import type { ModelSource } from '../formats/source.ts';
import type { DictionaryConfig, HostDictionary } from './dictionary.ts';
import { checkShape, DictionaryFile, transposed } from './tensors.ts';
import { toFloat32 } from '../../gpu/dtype.ts';

export const CIRCUIT_TRACER_CONFIG = 'config.yaml';

export interface CircuitTracerConfig {
  readonly modelKind: 'transcoder_set' | 'cross_layer_transcoder';
  readonly featureInputHook: string;
  readonly featureOutputHook: string;
  readonly modelName: string | null;
}

const MODEL_KINDS = new Set(['transcoder_set', 'cross_layer_transcoder']);

export function parseCircuitTracerConfig(text: string, label: string): CircuitTracerConfig {
  const where = `${CIRCUIT_TRACER_CONFIG} (${label})`;
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ModelFormatError(`${where}: not valid YAML: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ModelFormatError(`${where}: expected a mapping`);
  const get = (key: string): unknown => (Object.prototype.hasOwnProperty.call(doc, key) ? (doc as Record<string, unknown>)[key] : undefined);
  const kind = get('model_kind');
  if (typeof kind !== 'string' || !MODEL_KINDS.has(kind)) {
    throw new ModelFormatError(`${where}: "model_kind" must be transcoder_set or cross_layer_transcoder (got ${JSON.stringify(kind)})`);
  }
  const hookField = (key: string): string => {
    const v = get(key);
    if (typeof v !== 'string' || v.length === 0) throw new ModelFormatError(`${where}: "${key}" must be a hook name such as ln2.hook_normalized`);
    return v;
  };
  const modelName = get('model_name');
  return {
    modelKind: kind as CircuitTracerConfig['modelKind'],
    featureInputHook: hookField('feature_input_hook'),
    featureOutputHook: hookField('feature_output_hook'),
    modelName: typeof modelName === 'string' ? modelName : null,
  };
}

export async function readCircuitTracerConfig(source: ModelSource): Promise<CircuitTracerConfig> {
  return parseCircuitTracerConfig(await readTextFile(source, CIRCUIT_TRACER_CONFIG), source.label);
}

/** Whether the folder is a circuit-tracer cross-layer transcoder: its config.yaml says so. */
export async function isCrossLayerTranscoder(source: ModelSource): Promise<boolean> {
  return (await source.has(CIRCUIT_TRACER_CONFIG)) && (await readCircuitTracerConfig(source)).modelKind === 'cross_layer_transcoder';
}

/** `blocks.{layer}.{relative}`, circuit-tracer's hook naming. */
function layerHook(layer: number, relative: string): string {
  return `blocks.${layer}.${relative}`;
}

/** The config of a circuit-tracer transcoder reading and writing layer `layer` (a per-layer file, or one layer of a CLT). */
function transcoderConfig(label: string, config: CircuitTracerConfig, layer: number, jumpRelu: boolean, dims: { dIn: number; dSae: number; dOut: number }): DictionaryConfig {
  return {
    label,
    format: 'circuit-tracer',
    architecture: jumpRelu ? 'jumprelu_transcoder' : 'transcoder',
    activation: jumpRelu ? 'jumprelu' : 'relu',
    kind: 'transcoder',
    hookIn: layerHook(layer, config.featureInputHook),
    hookOut: layerHook(layer, config.featureOutputHook),
    headIndex: null,
    ...dims,
    k: null,
    applyBDecToInput: false,
    normalization: 'none',
    modelName: config.modelName,
  };
}

/** One `layer_{L}.safetensors` as a dictionary. */
export async function loadCircuitTracerLayer(source: ModelSource, config: CircuitTracerConfig, layer: number): Promise<HostDictionary> {
  const fileName = `layer_${layer}.safetensors`;
  const file = await DictionaryFile.open(source, fileName);
  const [dSae, dIn] = file.shape('W_enc');
  const dOut = file.shape('b_dec')[0];
  const threshold = await file.readOptional('activation_function.threshold', [dSae]);
  return {
    config: transcoderConfig(`${source.label}/${fileName}`, config, layer, threshold !== null, { dIn, dSae, dOut }),
    weights: {
      encoder: await file.read('W_enc', [dSae, dIn]),
      bEnc: await file.read('b_enc', [dSae]),
      decoder: await file.read('W_dec', [dSae, dOut]),
      bDec: await file.read('b_dec', [dOut]),
      threshold,
      skip: await file.readOptional('W_skip', [dOut, dIn]),
    },
  };
}

/**
 * Every `layer_{L}.safetensors` of a transcoder set for L in [0, nLayers) (the source cannot list
 * folders, so the model's layer count bounds the search). Layers without a file are left out:
 * circuit-tracer itself requires all of 0 … max, we do not.
 */
export async function loadCircuitTracerSet(source: ModelSource, nLayers: number): Promise<HostDictionary[]> {
  const config = await readCircuitTracerConfig(source);
  if (config.modelKind !== 'transcoder_set') {
    throw new ModelFormatError(`${CIRCUIT_TRACER_CONFIG} (${source.label}): model_kind ${config.modelKind} is not a per-layer transcoder set`);
  }
  const out: HostDictionary[] = [];
  for (let l = 0; l < nLayers; l++) {
    if (await source.has(`layer_${l}.safetensors`)) out.push(await loadCircuitTracerLayer(source, config, l));
  }
  if (out.length === 0) {
    throw new ModelFormatError(`${source.label}: no layer_{L}.safetensors for L in [0, ${nLayers}) next to ${CIRCUIT_TRACER_CONFIG}`);
  }
  return out;
}

/** One encoder layer of a cross-layer transcoder (held in memory; decoders stay on disk). */
export interface CltEncoderLayer {
  readonly layer: number;
  /** [d_transcoder, d_model]. */
  readonly encoder: HostWeight;
  readonly bEnc: HostWeight;
  readonly bDec: HostWeight;
  /** [d_transcoder]; null for a ReLU CLT. */
  readonly threshold: HostWeight | null;
  /** [d_model, d_model], applied as x·W_skip. */
  readonly skip: HostWeight | null;
}

export class CrossLayerTranscoder {
  private constructor(
    private readonly source: ModelSource,
    readonly config: CircuitTracerConfig,
    readonly nLayers: number,
    readonly dTranscoder: number,
    readonly dModel: number,
    private readonly decoders: readonly TensorEntry[],
  ) {}

  /** Opens the set: reads every W_dec_{i} header (not its data) and checks shapes. */
  static async open(source: ModelSource, nLayers: number): Promise<CrossLayerTranscoder> {
    const config = await readCircuitTracerConfig(source);
    if (config.modelKind !== 'cross_layer_transcoder') {
      throw new ModelFormatError(`${CIRCUIT_TRACER_CONFIG} (${source.label}): model_kind ${config.modelKind} is not a cross-layer transcoder`);
    }
    const decoders: TensorEntry[] = [];
    let dTranscoder = -1;
    let dModel = -1;
    for (let i = 0; i < nLayers; i++) {
      const file = `W_dec_${i}.safetensors`;
      if (!(await source.has(file))) throw new ModelFormatError(`${source.label}: ${file} not found (a cross-layer transcoder needs one per layer)`);
      const header = await readSafetensorsHeader(source, file);
      const entry = header.tensors.get(`W_dec_${i}`);
      if (!entry) throw new ModelFormatError(`${file} (${source.label}): missing tensor "W_dec_${i}"`);
      checkShape(`${file} (${source.label})`, entry.name, entry.shape, [dTranscoder, nLayers - i, dModel]);
      [dTranscoder, , dModel] = entry.shape;
      decoders.push(entry);
    }
    return new CrossLayerTranscoder(source, config, nLayers, dTranscoder, dModel, decoders);
  }

  /** Encoder, biases, threshold and skip of layer i (W_enc_{i}.safetensors). */
  async encoderLayer(i: number): Promise<CltEncoderLayer> {
    this.checkLayer(i);
    const file = await DictionaryFile.open(this.source, `W_enc_${i}.safetensors`);
    const { dTranscoder: f, dModel: d } = this;
    const threshold = file.has(`threshold_${i}`) ? await file.read(`threshold_${i}`, file.shape(`threshold_${i}`).length === 2 ? [1, f] : [f]) : null;
    return {
      layer: i,
      encoder: await file.read(`W_enc_${i}`, [f, d]),
      bEnc: await file.read(`b_enc_${i}`, [f]),
      bDec: await file.read(`b_dec_${i}`, [d]),
      threshold: threshold && { ...threshold, shape: [f] },
      skip: await file.readOptional(`W_skip_${i}`, [d, d]),
    };
  }

  /**
   * Every layer's config (cltLayerConfig), after checking each W_enc_{i}.safetensors from its
   * header alone (no tensor data is read): W_enc_{i}, b_enc_{i} and b_dec_{i} present with this
   * CLT's widths, threshold_{i} and W_skip_{i} shaped right where present. A missing file or
   * tensor, or a wrong shape, is named.
   */
  async layerConfigs(label = cltLabel(this)): Promise<DictionaryConfig[]> {
    const { dTranscoder: f, dModel: d } = this;
    const out: DictionaryConfig[] = [];
    for (let i = 0; i < this.nLayers; i++) {
      const file = await DictionaryFile.open(this.source, `W_enc_${i}.safetensors`);
      const check = (name: string, expected: readonly number[]) => checkShape(file.where, name, file.shape(name), expected);
      check(`W_enc_${i}`, [f, d]);
      check(`b_enc_${i}`, [f]);
      check(`b_dec_${i}`, [d]);
      const threshold = file.has(`threshold_${i}`);
      if (threshold) check(`threshold_${i}`, file.shape(`threshold_${i}`).length === 2 ? [1, f] : [f]);
      if (file.has(`W_skip_${i}`)) check(`W_skip_${i}`, [d, d]);
      out.push(cltLayerConfig(this, i, threshold, label));
    }
    return out;
  }

  /**
   * Decoder rows of features [start, end) of layer i: [end − start, n_layers − i, d_model],
   * read with one range read (rows are contiguous in the file).
   */
  async decoderRows(i: number, start: number, end: number): Promise<HostWeight> {
    this.checkLayer(i);
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > this.dTranscoder || start >= end) {
      throw new RangeError(`W_dec_${i}: feature slice [${start}, ${end}) is outside [0, ${this.dTranscoder})`);
    }
    const entry = this.decoders[i];
    const rowBytes = (entry.end - entry.start) / this.dTranscoder;
    const slice: TensorEntry = {
      ...entry,
      shape: [end - start, this.nLayers - i, this.dModel],
      start: entry.start + start * rowBytes,
      end: entry.start + end * rowBytes,
    };
    const weight = await readTensor(this.source, slice);
    return { ...weight, dtype: 'F32', data: toFloat32(weight) };
  }

  private checkLayer(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.nLayers) throw new RangeError(`layer ${i} is outside [0, ${this.nLayers})`);
  }
}

/** Layer i of a cross-layer transcoder: its features as a transcoder into layer i, and their rows into later layers. */
export interface CltLayer {
  /**
   * Reads blocks.i.{feature_input_hook}, writes blocks.i.{feature_output_hook}: encoder i, JumpReLU
   * (or ReLU), decoder W_dec_i[:, 0] (the rows into layer i), b_dec_i, W_skip_i (as `linear` stores it).
   */
  readonly dictionary: HostDictionary;
  /** W_dec_i[:, j − i] for every j > i: [d_transcoder, d_model] each. */
  readonly later: readonly { readonly layer: number; readonly rows: HostWeight }[];
}

/** What a CLT's layers are labelled by when the caller names none. */
function cltLabel(clt: CrossLayerTranscoder): string {
  return clt.config.modelName ?? 'cross-layer transcoder';
}

/** Layer i of a CLT as an ordinary transcoder's config (JumpReLU when the layer has thresholds). */
export function cltLayerConfig(clt: CrossLayerTranscoder, i: number, jumpRelu: boolean, label = cltLabel(clt)): DictionaryConfig {
  const { dTranscoder: f, dModel: d, config } = clt;
  return transcoderConfig(`${label} layer ${i}`, config, i, jumpRelu, { dIn: d, dSae: f, dOut: d });
}

/** Every layer of a CLT, all decoder rows read (one range read per layer). */
export async function cltLayers(clt: CrossLayerTranscoder, label = cltLabel(clt)): Promise<CltLayer[]> {
  const { nLayers: L, dTranscoder: f, dModel: d } = clt;
  const out: CltLayer[] = [];
  for (let i = 0; i < L; i++) {
    const enc = await clt.encoderLayer(i);
    const all = (await clt.decoderRows(i, 0, f)).data as Float32Array;
    const span = L - i;
    const rowsInto = (k: number): HostWeight => {
      const r = new Float32Array(f * d);
      for (let feature = 0; feature < f; feature++) r.set(all.subarray((feature * span + k) * d, (feature * span + k + 1) * d), feature * d);
      return { name: `W_dec_${i}[:, ${k}]`, dtype: 'F32', shape: [f, d], data: r };
    };
    out.push({
      dictionary: {
        config: cltLayerConfig(clt, i, enc.threshold !== null, label),
        weights: {
          encoder: enc.encoder,
          bEnc: enc.bEnc,
          decoder: rowsInto(0),
          bDec: enc.bDec,
          threshold: enc.threshold,
          // circuit-tracer adds x·W_skip; a dictionary's skip is applied as linear(x, skip) = x·skipᵀ.
          skip: enc.skip && transposed(enc.skip, `W_skip_${i}ᵀ`),
        },
      },
      later: Array.from({ length: span - 1 }, (_, k) => ({ layer: i + k + 1, rows: rowsInto(k + 1) })),
    });
  }
  return out;
}
