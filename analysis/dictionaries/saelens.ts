/**
 * SAELens folders: `cfg.json` + `sae_weights.safetensors` (SAELens ≥ 6 configs keep the hooks in
 * a nested `metadata`; older ones are flat). Tensors: W_enc [d_in, d_sae], b_enc [d_sae], W_dec
 * [d_sae, d_out], b_dec [d_out], threshold [d_sae] (JumpReLU), W_skip [d_out, d_in]
 * (skip_transcoder: output += x·W_skipᵀ). Gated SAEs have b_gate, b_mag and r_mag instead of
 * b_enc: a feature is on where sae_in·W_enc + b_gate > 0, and its value is
 * relu(sae_in·(W_enc ⊙ exp(r_mag)) + b_mag).
 */
import { ModelFormatError } from '../formats/errors.ts';
import { readJsonFile } from '../formats/json-file.ts';
import type { ModelSource } from '../formats/source.ts';
import type { HostWeight } from '../../gpu/backend.ts';
import type { Activation, DictionaryConfig, DictionaryWeights, HostDictionary, Normalization } from './dictionary.ts';
import { DictionaryFile, transposed } from './tensors.ts';

export const SAELENS_CONFIG_FILE = 'cfg.json';
export const SAELENS_WEIGHTS_FILE = 'sae_weights.safetensors';

interface ArchitectureInfo {
  readonly activation: Activation;
  readonly kind: 'sae' | 'transcoder';
  readonly skip: boolean;
}

/** Architectures this reader implements (a Map, so names from files select only these). */
const ARCHITECTURES = new Map<string, ArchitectureInfo>([
  ['standard', { activation: 'relu', kind: 'sae', skip: false }],
  ['topk', { activation: 'topk', kind: 'sae', skip: false }],
  ['jumprelu', { activation: 'jumprelu', kind: 'sae', skip: false }],
  ['transcoder', { activation: 'relu', kind: 'transcoder', skip: false }],
  ['jumprelu_transcoder', { activation: 'jumprelu', kind: 'transcoder', skip: false }],
  ['skip_transcoder', { activation: 'relu', kind: 'transcoder', skip: true }],
  ['gated', { activation: 'gated', kind: 'sae', skip: false }],
]);

const NORMALIZATIONS = new Map<string, Normalization>([
  ['none', 'none'],
  // SAELens folds this factor into the weights when it saves; at inference it is the identity.
  ['expected_average_only_in', 'none'],
  ['constant_norm_rescale', 'constant_norm_rescale'],
  ['layer_norm', 'layer_norm'],
]);

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(obj: Json, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/** Reads and checks cfg.json into a config (weights not read). */
export function parseSaeLensConfig(json: unknown, label: string): DictionaryConfig {
  const where = `${SAELENS_CONFIG_FILE} (${label})`;
  if (!isObject(json)) throw new ModelFormatError(`${where}: expected a JSON object`);
  const meta = isObject(own(json, 'metadata')) ? (own(json, 'metadata') as Json) : {};
  /** Nested metadata (SAELens ≥ 6) first, then the flat layout of older configs. */
  const field = (key: string): unknown => own(meta, key) ?? own(json, key);
  const int = (key: string, value: unknown = own(json, key)): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new ModelFormatError(`${where}: "${key}" must be a positive integer (got ${JSON.stringify(value)})`);
    }
    return value;
  };
  const str = (key: string, value: unknown): string => {
    if (typeof value !== 'string' || value.length === 0) {
      throw new ModelFormatError(`${where}: "${key}" must be a non-empty string (got ${JSON.stringify(value)})`);
    }
    return value;
  };

  const archName = own(json, 'architecture') ?? 'standard';
  if (typeof archName !== 'string') throw new ModelFormatError(`${where}: "architecture" must be a string`);
  const arch = ARCHITECTURES.get(archName);
  if (!arch) {
    throw new ModelFormatError(
      `${where}: unknown architecture "${archName}" (supported: ${[...ARCHITECTURES.keys()].join(', ')})`,
    );
  }
  const dIn = int('d_in');
  const dSae = int('d_sae');
  const hookIn = str('metadata.hook_name', field('hook_name'));
  // A top-k dictionary that names another output hook is a top-k transcoder (Probescope's trainer
  // writes these; SAELens has no top-k transcoder class and would read it as an SAE).
  const outName = field('hook_name_out');
  const topkTranscoder = arch.activation === 'topk' && typeof outName === 'string' && outName !== hookIn;
  const kind = topkTranscoder ? 'transcoder' : arch.kind;
  const dOut = kind === 'transcoder' ? int('d_out') : dIn;
  const hookOut = kind === 'transcoder' ? str('metadata.hook_name_out', outName) : hookIn;

  const headValue = field('hook_head_index');
  let headIndex: number | null = null;
  if (headValue !== undefined && headValue !== null) {
    if (typeof headValue !== 'number' || !Number.isInteger(headValue) || headValue < 0) {
      throw new ModelFormatError(`${where}: "hook_head_index" must be null or a head index (got ${JSON.stringify(headValue)})`);
    }
    headIndex = headValue;
  }
  const headOut = field('hook_head_index_out');
  if (headOut !== undefined && headOut !== null && headOut !== headIndex) {
    throw new ModelFormatError(`${where}: "hook_head_index_out" ${JSON.stringify(headOut)} differs from the input's; not supported`);
  }

  const applyBDec = own(json, 'apply_b_dec_to_input') ?? false;
  if (typeof applyBDec !== 'boolean') throw new ModelFormatError(`${where}: "apply_b_dec_to_input" must be true or false`);
  if (applyBDec && kind === 'transcoder') {
    throw new ModelFormatError(`${where}: "apply_b_dec_to_input" must be false for a transcoder (SAELens refuses it)`);
  }
  const normName = own(json, 'normalize_activations') ?? 'none';
  const normalization = typeof normName === 'string' ? NORMALIZATIONS.get(normName) : undefined;
  if (normalization === undefined) {
    throw new ModelFormatError(
      `${where}: unknown normalize_activations ${JSON.stringify(normName)} (supported: ${[...NORMALIZATIONS.keys()].join(', ')})`,
    );
  }
  let k: number | null = null;
  if (arch.activation === 'topk') {
    k = int('k');
    if (k > dSae) throw new ModelFormatError(`${where}: "k" ${k} is larger than d_sae ${dSae}`);
    if (own(json, 'rescale_acts_by_decoder_norm') === true) {
      throw new ModelFormatError(`${where}: "rescale_acts_by_decoder_norm": true is not supported`);
    }
  }
  const modelName = field('model_name');
  return {
    label,
    format: 'saelens',
    architecture: archName,
    activation: arch.activation,
    kind,
    hookIn,
    hookOut,
    headIndex,
    dIn,
    dSae,
    dOut,
    k,
    applyBDecToInput: applyBDec,
    normalization,
    modelName: typeof modelName === 'string' ? modelName : null,
  };
}

/** Opens a SAELens folder (cfg.json + sae_weights.safetensors). */
export async function loadSaeLens(source: ModelSource): Promise<HostDictionary> {
  const config = parseSaeLensConfig(await readJsonFile(source, SAELENS_CONFIG_FILE), source.label);
  const file = await DictionaryFile.open(source, SAELENS_WEIGHTS_FILE);
  const { dIn, dSae, dOut } = config;
  const arch = ARCHITECTURES.get(config.architecture)!;
  const wEnc = await file.read('W_enc', [dIn, dSae]);
  if (config.activation === 'gated') return { config, weights: await gatedWeights(file, config, transposed(wEnc, 'W_enc')) };
  return {
    config,
    weights: {
      encoder: transposed(wEnc, 'W_enc'),
      bEnc: await file.read('b_enc', [dSae]),
      decoder: await file.read('W_dec', [dSae, dOut]),
      bDec: await file.read('b_dec', [dOut]),
      threshold: config.activation === 'jumprelu' ? await file.read('threshold', [dSae]) : null,
      skip: arch.skip ? await file.read('W_skip', [dOut, dIn]) : null,
    },
  };
}

/** Gated SAE weights: the magnitude path W_enc ⊙ exp(r_mag) (per feature) with b_mag, the gate W_enc with b_gate. */
async function gatedWeights(file: DictionaryFile, config: DictionaryConfig, gateEncoder: HostWeight): Promise<DictionaryWeights<HostWeight>> {
  const { dIn, dSae, dOut } = config;
  const rMag = (await file.read('r_mag', [dSae])).data as Float32Array;
  const gate = gateEncoder.data as Float32Array;
  const magnitude = new Float32Array(gate.length);
  for (let f = 0; f < dSae; f++) {
    const s = Math.exp(rMag[f]);
    for (let i = 0; i < dIn; i++) magnitude[f * dIn + i] = gate[f * dIn + i] * s;
  }
  return {
    encoder: { name: 'W_enc·exp(r_mag)', dtype: 'F32', shape: [dSae, dIn], data: magnitude },
    bEnc: await file.read('b_mag', [dSae]),
    decoder: await file.read('W_dec', [dSae, dOut]),
    bDec: await file.read('b_dec', [dOut]),
    threshold: null,
    skip: null,
    gate: { encoder: gateEncoder, bias: await file.read('b_gate', [dSae]) },
  };
}
