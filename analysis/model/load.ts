/**
 * Loads a Hugging Face model folder (config.json, safetensors weights, optional tokenizer) from
 * any `ModelSource` into host memory, in the canonical weight layout. Weights are read tensor by
 * tensor and keep their stored dtype (F16/BF16 stay raw 16-bit; backends decide how to upload).
 */
import type { HostWeight } from '../../gpu/backend.ts';
import { readModelConfig } from '../formats/config.ts';
import { ModelFormatError } from '../formats/errors.ts';
import { parseJsonText, readJsonFileIfPresent, readTextFile } from '../formats/json-file.ts';
import { SafetensorsCheckpoint } from '../formats/safetensors.ts';
import type { ModelSource } from '../formats/source.ts';
import { createTokenizer, TOKENIZER_CONFIG_FILE, TOKENIZER_FILE, type Tokenizer } from '../formats/tokenizer.ts';
import { mapGpt2, mapLlamaFamily, mapNeox, type MappedWeights } from './hf-weight-map.ts';
import type { ModelSpec } from './spec.ts';
import type { TensorCheckpoint } from './weight-reader.ts';
import { WeightReader } from './weight-reader.ts';
import type { ModelWeights } from './weights.ts';

export interface HostModel {
  readonly spec: ModelSpec;
  readonly weights: ModelWeights<HostWeight>;
  /** null when the folder has no tokenizer.json (the model then takes token ids only). */
  readonly tokenizer: Tokenizer | null;
  readonly files: {
    /** config.json exactly as stored, for display. */
    readonly config: string;
  };
}

/** Called before each tensor is read: its name, how many were read before it, and the checkpoint's tensor count. */
export type TensorProgress = (name: string, index: number, count: number) => void;

export interface LoadOptions {
  /** Per-tensor progress (the app shows it while a large folder opens). */
  readonly onTensor?: TensorProgress;
}

/** A checkpoint that reports each tensor read to `onTensor`. */
function reporting(checkpoint: TensorCheckpoint, onTensor: TensorProgress): TensorCheckpoint {
  let read = 0;
  return {
    description: checkpoint.description,
    names: () => checkpoint.names(),
    has: (name) => checkpoint.has(name),
    entry: (name) => checkpoint.entry(name),
    read: (name) => {
      onTensor(name, read++, checkpoint.names().length);
      return checkpoint.read(name);
    },
  };
}

/** Reads the weights of `spec`'s architecture from the folder's safetensors checkpoint. */
export async function loadHostWeights(source: ModelSource, spec: ModelSpec, options: LoadOptions = {}): Promise<ModelWeights<HostWeight>> {
  const opened = await SafetensorsCheckpoint.open(source);
  const checkpoint = options.onTensor ? reporting(opened, options.onTensor) : opened;
  const reader = new WeightReader(checkpoint, source.label);
  let mapped: MappedWeights;
  switch (spec.modelType) {
    case 'gpt2':
      mapped = await mapGpt2(reader, spec);
      break;
    case 'gpt_neox':
      mapped = await mapNeox(reader, spec);
      break;
    default:
      mapped = await mapLlamaFamily(reader, spec);
      break;
  }
  reader.checkAllUsed(mapped.ignorable);
  return mapped.weights;
}

/** The folder's tokenizer, or null when it has no tokenizer.json. */
export async function loadTokenizerIfPresent(source: ModelSource): Promise<Tokenizer | null> {
  if (!(await source.has(TOKENIZER_FILE))) return null;
  const tokenizerJson = parseJsonText(await readTextFile(source, TOKENIZER_FILE), TOKENIZER_FILE, source.label);
  const tokenizerConfig = await readJsonFileIfPresent(source, TOKENIZER_CONFIG_FILE);
  try {
    return createTokenizer(tokenizerJson, tokenizerConfig);
  } catch (e) {
    if (e instanceof ModelFormatError) throw new ModelFormatError(`${source.label}: ${e.message}`);
    throw e;
  }
}

/** config.json → spec, then the weights one tensor at a time, then the tokenizer if any. */
export async function loadHostModel(source: ModelSource, options: LoadOptions = {}): Promise<HostModel> {
  const { spec, configText } = await readModelConfig(source);
  const weights = await loadHostWeights(source, spec, options);
  const tokenizer = await loadTokenizerIfPresent(source);
  return { spec, weights, tokenizer, files: { config: configText } };
}
