/**
 * Standing interventions: interventions a model carries, so that every forward pass it runs
 * (`run`, `generate`, gradient tapes, patching sweeps, any method built on them) applies them,
 * before the run's own interventions at the same hook. The app's prompt workspace uses this to
 * intervene on the model once for all of its views.
 *
 * `mean` should name a `reference` cache: the forward passes of sweeps that start inside the
 * network or continue from a KV cache see only some positions, so a mean over "this run's
 * positions" would differ between them. With a reference it is one fixed value everywhere.
 */
import type { CltUse, DictionaryUse } from '../dictionaries/splice.ts';
import type { Intervention, NamedCaches } from './interventions.ts';
import type { HookOptions } from './session.ts';

export interface StandingInterventions {
  readonly interventions: readonly Intervention[];
  /** The caches the interventions name as `source` / `reference` (host data). */
  readonly caches: NamedCaches;
}

/** Anything that may carry standing interventions (a Model). */
export interface MaybeIntervened {
  readonly standing?: StandingInterventions;
  /** Dictionaries the model splices into every pass (analysis/dictionaries/attach.ts). */
  readonly dictionaries?: readonly DictionaryUse[];
  readonly crossLayerTranscoder?: CltUse;
}

/**
 * `model` with `standing` as its interventions (replacing any it had); none → the plain model.
 * A plain model asked to stay plain is returned as is (callers compare models by identity).
 */
export function withStanding<M extends MaybeIntervened>(model: M, standing: StandingInterventions | null): M {
  const none = !standing || standing.interventions.length === 0;
  if (none && model.standing === undefined) return model;
  const { standing: _old, ...plain } = model;
  return standing && standing.interventions.length > 0 ? ({ ...plain, standing } as unknown as M) : (plain as unknown as M);
}

/**
 * A run's hook options with the model's standing interventions in front and their caches
 * added. A run cache with the same name as a standing one is an error, not a silent override.
 */
export function hookOptionsWithStanding<O extends HookOptions>(model: MaybeIntervened, runOptions: O): O {
  // The model's attached dictionaries splice in first; the run's own (if any) after them.
  let options = model.dictionaries?.length ? { ...runOptions, dictionaries: [...model.dictionaries, ...(runOptions.dictionaries ?? [])] } : runOptions;
  if (model.crossLayerTranscoder) {
    if (options.crossLayerTranscoder) throw new Error(`the run brings a cross-layer transcoder, but the model already splices ${model.crossLayerTranscoder.clt.label}; attach one`);
    options = { ...options, crossLayerTranscoder: model.crossLayerTranscoder };
  }
  const standing = model.standing;
  if (!standing || standing.interventions.length === 0) return options;
  for (const name of Object.keys(options.caches ?? {})) {
    if (Object.hasOwn(standing.caches, name)) {
      throw new Error(`the run's cache "${name}" has the name of a cache the model's standing interventions read; rename one of them`);
    }
  }
  return {
    ...options,
    interventions: [...standing.interventions, ...(options.interventions ?? [])],
    caches: { ...standing.caches, ...options.caches },
  };
}
