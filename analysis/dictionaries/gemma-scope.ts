/**
 * Gemma Scope 2 per-layer dictionaries: one safetensors file (usually `params.safetensors`) with
 * lowercase tensors w_enc [d_in, d_sae], b_enc [d_sae], w_dec [d_sae, d_out], b_dec [d_out],
 * threshold [d_sae] (all JumpReLU: acts = pre·[pre > threshold]) and, for affine transcoders,
 * affine_skip_connection [d_in, d_out] added as x·A (Google's reference code multiplies it
 * untransposed). The file names no hooks: the caller gives them, or they are read from the
 * release's folder name (`resid_post/layer_12_…`, `mlp_out/layer_3_…`).
 */
import { ModelFormatError } from '../formats/errors.ts';
import type { ModelSource } from '../formats/source.ts';
import type { HostDictionary } from './dictionary.ts';
import { DictionaryFile, transposed } from './tensors.ts';

export const GEMMA_SCOPE_FILE = 'params.safetensors';

export interface GemmaScopeOptions {
  /** The file inside the source (default params.safetensors). */
  readonly file?: string;
  /** TransformerLens hook the dictionary reads; default: from `path`. */
  readonly hookIn?: string;
  /** Hook it writes (transcoders); default hookIn. */
  readonly hookOut?: string;
  /** The release path, e.g. "resid_post/layer_22_width_16k_l0_medium", to infer the hook from. */
  readonly path?: string;
}

const SITES = new Map<string, (layer: number) => string>([
  ['resid_post', (l) => `blocks.${l}.hook_resid_post`],
  ['mlp_out', (l) => `blocks.${l}.hook_mlp_out`],
]);

/** The hook a Gemma Scope 2 release path stands for, or null when it does not say. */
export function gemmaScopeHookFromPath(path: string): string | null {
  const m = /(?:^|\/)([a-z_]+)\/layer_(\d+)(?:_|\/|$)/.exec(path);
  if (!m) return null;
  const site = SITES.get(m[1]);
  return site ? site(Number(m[2])) : null;
}

export async function loadGemmaScope2(source: ModelSource, options: GemmaScopeOptions = {}): Promise<HostDictionary> {
  const fileName = options.file ?? GEMMA_SCOPE_FILE;
  const file = await DictionaryFile.open(source, fileName);
  const hookIn = options.hookIn ?? (options.path !== undefined ? gemmaScopeHookFromPath(options.path) : null);
  if (hookIn === null) {
    throw new ModelFormatError(
      `${fileName} (${source.label}): a Gemma Scope 2 file names no hook; give the hook it reads ` +
        `(or its release path, e.g. resid_post/layer_12_width_16k_l0_medium)`,
    );
  }
  const hookOut = options.hookOut ?? hookIn;
  const [dIn, dSae] = file.shape('w_enc');
  const dOut = file.shape('b_dec')[0];
  const encoder = transposed(await file.read('w_enc', [dIn, dSae]), 'w_enc');
  const skip = await file.readOptional('affine_skip_connection', [dIn, dOut]);
  const transcoder = hookOut !== hookIn || skip !== null;
  return {
    config: {
      label: source.label,
      format: 'gemma-scope-2',
      architecture: transcoder ? 'jumprelu_transcoder' : 'jumprelu',
      activation: 'jumprelu',
      kind: transcoder ? 'transcoder' : 'sae',
      hookIn,
      hookOut,
      headIndex: null,
      dIn,
      dSae,
      dOut,
      k: null,
      applyBDecToInput: false,
      normalization: 'none',
      modelName: null,
    },
    weights: {
      encoder,
      bEnc: await file.read('b_enc', [dSae]),
      decoder: await file.read('w_dec', [dSae, dOut]),
      bDec: await file.read('b_dec', [dOut]),
      threshold: await file.read('threshold', [dSae]),
      skip: skip === null ? null : transposed(skip, 'affine_skip_connection'),
    },
  };
}
