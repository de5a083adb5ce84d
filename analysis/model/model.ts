/**
 * A model ready to run: spec, weights on a backend, tokenizer (if the folder has one) and its
 * hook-point catalogue.
 */
import type { Backend, HostWeight, Tensor } from '../../gpu/backend.ts';
import type { CltUse, DictionaryUse } from '../dictionaries/splice.ts';
import type { HookPoint } from '../hooks/points.ts';
import type { StandingInterventions } from '../hooks/standing.ts';
import { hookPoints } from '../hooks/points.ts';
import type { ModelCore } from './forward.ts';
import type { ModelSpec } from './spec.ts';
import type { ModelWeights } from './weights.ts';
import { mapWeights } from './weights.ts';

/** What the engine needs from a tokenizer (implemented by analysis/formats/tokenizer.ts). */
export interface TextTokenizer {
  /** Whether text input gets a BOS token unless told otherwise (from tokenizer_config/config). */
  readonly defaultPrependBos: boolean;
  encode(text: string, options: { prependBos: boolean }): number[];
  decode(ids: readonly number[]): string;
  /** Readable form of one token for token strips (spaces visible). */
  tokenString(id: number): string;
}

export interface Model extends ModelCore {
  /** Where it came from, e.g. a folder path or "builtin:stories260K". */
  readonly label: string;
  readonly tokenizer: TextTokenizer | null;
  readonly hookPoints: readonly HookPoint[];
  /** Interventions every forward pass of this model applies (hooks/standing.ts); absent for the plain model. */
  readonly standing?: StandingInterventions;
  /**
   * Dictionaries every forward pass of this model splices in (dictionaries/attach.ts); their
   * stages are in `hookPoints`. Absent for the plain model.
   */
  readonly dictionaries?: readonly DictionaryUse[];
  /** A cross-layer transcoder every forward pass splices in (dictionaries/attach.ts); absent for the plain model. */
  readonly crossLayerTranscoder?: CltUse;
}

export interface HostModelParts {
  readonly label: string;
  readonly spec: ModelSpec;
  readonly weights: ModelWeights<HostWeight>;
  readonly tokenizer: TextTokenizer | null;
}

/** Uploads host weights onto a backend (one tensor at a time, so host copies can be dropped). */
export function modelOnBackend(host: HostModelParts, backend: Backend): Model {
  const weights: ModelWeights<Tensor> = mapWeights(host.weights, (w) => backend.uploadWeight(w));
  return {
    label: host.label,
    spec: host.spec,
    backend,
    weights,
    tokenizer: host.tokenizer,
    hookPoints: hookPoints(host.spec),
  };
}
