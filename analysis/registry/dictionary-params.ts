/**
 * The params every method takes (defineMethod adds them to each schema, so the CLI's flags, the
 * notebook params and the worker job get them from the one definition): sparse dictionaries
 * spliced into the model the method runs on (analysis/dictionaries/attach.ts). Their stages are
 * then hook points for that method — patch, ablate, capture or differentiate feature
 * activations (`blocks.2.hook_resid_post.hook_sae_acts_post`) and the error term
 * (`…hook_sae_error`) like any other activation.
 */
import { z } from 'zod';
import type { SpliceMode } from '../dictionaries/attach.ts';
import { attachCrossLayerTranscoder, attachDictionaries, cltSpliceUse, SPLICE_MODES, spliceUse } from '../dictionaries/attach.ts';
import { cltLayers } from '../dictionaries/circuit-tracer.ts';
import type { CltOnBackend } from '../dictionaries/clt-device.ts';
import { cltOnBackend, disposeClt } from '../dictionaries/clt-device.ts';
import type { Dictionary } from '../dictionaries/device.ts';
import { dictionaryOnBackend, disposeDictionary } from '../dictionaries/device.ts';
import { checkDictionaryForModel } from '../dictionaries/open.ts';
import type { Model } from '../model/model.ts';
import type { MethodInputs } from './contract.ts';

export const DICTIONARY_PARAMS = {
  dictionaries: z
    .array(z.string().min(1).max(1000))
    .min(1)
    .max(64)
    .optional()
    .describe('Sparse dictionaries spliced into the model for this method: folders (SAELens, circuit-tracer per-layer or one cross-layer transcoder, Gemma Scope 2) or builtin:stories260K-saes[/blocks.L.hook_resid_post]. Their stages become hook points (blocks.L.hook_resid_post.hook_sae_acts_post, …hook_sae_error).'),
  dictionarySplice: z
    .enum(SPLICE_MODES as [SpliceMode, ...SpliceMode[]])
    .optional()
    .describe('with-error (default): the model computes exactly what it did, features are hook points; without-error: it runs on the reconstruction; none: features are only observed.'),
};

export const DICTIONARY_PARAM_NAMES = Object.keys(DICTIONARY_PARAMS) as (keyof typeof DICTIONARY_PARAMS)[];

export type DictionaryParams = { dictionaries?: string[]; dictionarySplice?: SpliceMode };

/** The model with the params' dictionaries attached, and how to release them after the run. */
export async function withParamDictionaries(model: Model, p: DictionaryParams, ctx: MethodInputs): Promise<{ model: Model; release(): void }> {
  if (!p.dictionaries?.length) return { model, release: () => {} };
  if (!ctx.dictionaries) throw new Error('params.dictionaries: this host cannot open dictionaries');
  const mode = p.dictionarySplice ?? 'with-error';
  const uploaded: Dictionary[] = [];
  let clt: CltOnBackend | null = null;
  const release = () => {
    uploaded.forEach(disposeDictionary);
    if (clt) disposeClt(clt);
  };
  try {
    for (const ref of p.dictionaries) {
      const crossLayer = ctx.crossLayerTranscoder ? await ctx.crossLayerTranscoder(ref, 'dictionaries') : null;
      if (crossLayer) {
        if (clt) throw new Error(`params.dictionaries (${ref}): a second cross-layer transcoder; attach one`);
        clt = cltOnBackend(await (ctx.cltLayers ?? cltLayers)(crossLayer), model.backend, ref);
        continue;
      }
      for (const host of await ctx.dictionaries(ref, 'dictionaries')) {
        try {
          checkDictionaryForModel(host.config, model.hookPoints, model.spec);
        } catch (e) {
          throw new Error(`params.dictionaries (${ref}): ${(e as Error).message}`);
        }
        uploaded.push(dictionaryOnBackend(host, model.backend));
      }
    }
    const spliced = attachDictionaries(model, uploaded.map((d) => spliceUse(d, mode)));
    return { model: clt ? attachCrossLayerTranscoder(spliced, cltSpliceUse(clt, mode)) : spliced, release };
  } catch (e) {
    release();
    throw e;
  }
}
