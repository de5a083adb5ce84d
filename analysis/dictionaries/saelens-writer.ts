/**
 * Writes a dictionary as a SAELens folder: cfg.json in the layout of SAELens 6's
 * `SAEConfig.to_dict()` (hooks in a nested `metadata` with `sae_lens_version`, so SAELens reads
 * them) and sae_weights.safetensors (W_enc [d_in, d_sae], b_enc, W_dec [d_sae, d_out], b_dec,
 * threshold for JumpReLU).
 */
import { encodeSafetensors } from '../formats/safetensors-writer.ts';
import type { HostDictionary } from './dictionary.ts';
import { SAELENS_CONFIG_FILE, SAELENS_WEIGHTS_FILE } from './saelens.ts';
import { transposed } from './tensors.ts';

/** The SAELens version whose config layout we write. */
const SAE_LENS_VERSION = '6.52.0';

export function saeLensFiles(dict: HostDictionary, extra: { readonly contextSize?: number; readonly prependBos?: boolean } = {}): Record<string, Uint8Array> {
  const c = dict.config;
  if (dict.weights.skip || dict.weights.gate) throw new Error(`${c.label}: dictionaries with a skip connection or a gate are not written as SAELens folders`);
  const transcoder = c.hookIn !== c.hookOut;
  const cfg: Record<string, unknown> = {
    architecture: c.architecture,
    d_in: c.dIn,
    d_sae: c.dSae,
    ...(transcoder ? { d_out: c.dOut } : {}),
    dtype: 'float32',
    device: 'cpu',
    apply_b_dec_to_input: c.applyBDecToInput,
    normalize_activations: c.normalization,
    reshape_activations: 'none',
    ...(c.k !== null ? { k: c.k, rescale_acts_by_decoder_norm: false } : {}),
    metadata: {
      model_name: c.modelName,
      hook_name: c.hookIn,
      hook_head_index: c.headIndex,
      prepend_bos: extra.prependBos ?? true,
      context_size: extra.contextSize ?? null,
      sae_lens_version: SAE_LENS_VERSION,
      ...(transcoder ? { hook_name_out: c.hookOut, hook_head_index_out: null } : {}),
    },
  };
  const w = dict.weights;
  const tensors = [transposed(w.encoder, 'W_enc'), { ...w.bEnc, name: 'b_enc' }, { ...w.decoder, name: 'W_dec' }, { ...w.bDec, name: 'b_dec' }];
  if (w.threshold) tensors.push({ ...w.threshold, name: 'threshold' });
  return {
    [SAELENS_CONFIG_FILE]: new TextEncoder().encode(`${JSON.stringify(cfg, null, 2)}\n`),
    [SAELENS_WEIGHTS_FILE]: encodeSafetensors(tensors, {}),
  };
}
