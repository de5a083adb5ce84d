/**
 * Dictionaries attached to a model: every forward pass the model runs (`run`, `generate`,
 * gradient tapes, patching sweeps, so every method built on them) splices them in, and their
 * stages (`<hook>.hook_sae_acts_post`, `…hook_sae_error`, `…hook_sae_recons`, …) are ordinary
 * hook points of the model: captured, patched, intervened on and differentiated like any other.
 *
 * Splice modes (what a researcher picks per dictionary):
 *   with-error     output = decode(acts') + (target − decode(acts)): the model computes exactly
 *                  what it computed before (edits of the features still act), the default;
 *   without-error  output = decode(acts'): the model runs on the reconstruction (a replacement model);
 *   none           the dictionary reads its input and its stages can be captured, but the model
 *                  continues with its own activation.
 */
import type { Model } from '../model/model.ts';
import type { CltOnBackend } from './clt-device.ts';
import type { CltUse, DictionaryUse } from './splice.ts';
import { DictionarySplicer } from './splice.ts';

export type SpliceMode = 'with-error' | 'without-error' | 'none';
export const SPLICE_MODES: readonly SpliceMode[] = ['with-error', 'without-error', 'none'];

/** The dictionary use a splice mode stands for. */
export function spliceUse(dictionary: DictionaryUse['dictionary'], mode: SpliceMode): DictionaryUse {
  return { dictionary, splice: mode !== 'none', errorTerm: mode === 'with-error' };
}

/** The cross-layer transcoder use a splice mode stands for. */
export function cltSpliceUse(clt: CltOnBackend, mode: SpliceMode): CltUse {
  return { clt, splice: mode !== 'none', errorTerm: mode === 'with-error' };
}

/**
 * `model` with `uses` spliced into every forward pass (after any it already carries). Checked
 * now, so a bad hook or two dictionaries writing one hook fail before any pass: the error names
 * the dictionary and the hook.
 */
export function attachDictionaries(model: Model, uses: readonly DictionaryUse[]): Model {
  if (uses.length === 0) return model;
  return withSplices(model, [...(model.dictionaries ?? []), ...uses], model.crossLayerTranscoder);
}

/**
 * `model` with a cross-layer transcoder spliced into every pass (one per model): layer i's
 * features at `blocks.i.hook_mlp_out.hook_sae_acts_post`, each MLP output's reconstruction and
 * error under its own hook (splice.ts). Gradients go through it only with the error term.
 */
export function attachCrossLayerTranscoder(model: Model, use: CltUse): Model {
  if (model.crossLayerTranscoder) throw new Error(`${model.label} already splices the cross-layer transcoder ${model.crossLayerTranscoder.clt.label}; attach one`);
  return withSplices(model, model.dictionaries ?? [], use);
}

function withSplices(model: Model, dictionaries: readonly DictionaryUse[], clt: CltUse | undefined): Model {
  const base = model.hookPoints.filter((p) => !/\.hook_sae_[a-z_]+$/.test(p.name));
  const splicer = new DictionarySplicer(model.backend, base, dictionaries, clt);
  return { ...model, ...(dictionaries.length ? { dictionaries } : {}), ...(clt ? { crossLayerTranscoder: clt } : {}), hookPoints: [...base, ...splicer.points] };
}

/** The use spliced in at `hookOut`, if a dictionary writes that hook. */
export function dictionaryWriting(model: Model, hookOut: string): DictionaryUse | undefined {
  return model.dictionaries?.find((u) => u.dictionary.config.hookOut === hookOut);
}
