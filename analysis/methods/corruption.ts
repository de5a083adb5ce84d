/**
 * The corrupted input of activation and path patching (METHODS.md, "Activation patching"):
 *
 * - symmetric token replacement: the user gives the corrupted prompt, of the same length as the
 *   clean one (patching compares the two runs position by position);
 * - Gaussian noise on chosen token embeddings: the clean tokens, with σ·N(0, 1) added to
 *   `hook_embed` at the chosen positions (σ = 3 × the standard deviation of the embedding matrix
 *   unless given; noise drawn from a seeded generator, so a corrupted run is reproducible).
 *   Implemented as declarative `add` interventions on hook_embed, one per noised position, so
 *   the corrupted run is an ordinary run with interventions.
 */
import { hook } from '../hooks/points.ts';
import type { Intervention } from '../hooks/interventions.ts';
import type { Model } from '../model/model.ts';
import { gaussian } from '../model/random.ts';

export type Corruption =
  | { readonly kind: 'tokens'; readonly ids: readonly number[] }
  | {
      readonly kind: 'noise';
      /** Token positions whose embeddings get noise (e.g. the subject tokens). */
      readonly positions: readonly number[];
      readonly seed?: number;
      /** Noise standard deviation; default 3 × std of the embedding matrix. */
      readonly sigma?: number;
    };

export interface CorruptedInput {
  readonly ids: readonly number[];
  /** Interventions that make the corrupted run (noise on hook_embed); empty for tokens. */
  readonly interventions: readonly Intervention[];
  /** The noise σ used, null for token replacement. */
  readonly noiseSigma: number | null;
}

export const NOISE_STD_FACTOR = 3;

/** Standard deviation of all entries of W_E (unbiased, as torch's `.std()`), in float64. */
export async function embeddingStd(model: Model): Promise<number> {
  const [data] = await model.backend.read([model.weights.embed]);
  let mean = 0;
  for (let i = 0; i < data.length; i++) mean += data[i];
  mean /= data.length;
  let ss = 0;
  for (let i = 0; i < data.length; i++) ss += (data[i] - mean) ** 2;
  return Math.sqrt(ss / (data.length - 1));
}

export async function corruptedInput(model: Model, clean: readonly number[], corruption: Corruption): Promise<CorruptedInput> {
  if (corruption.kind === 'tokens') {
    const ids = corruption.ids;
    if (ids.length !== clean.length) {
      throw new Error(
        `corrupted prompt has ${ids.length} tokens but the clean prompt has ${clean.length}: patching compares the runs ` +
          'position by position, so symmetric token replacement needs prompts of equal token length',
      );
    }
    return { ids, interventions: [], noiseSigma: null };
  }
  const positions = [...new Set(corruption.positions)];
  if (positions.length === 0) throw new Error('noise corruption: give at least one position to corrupt');
  for (const p of positions) {
    if (!Number.isInteger(p) || p < 0 || p >= clean.length) {
      throw new Error(`noise corruption: position ${p} is outside the prompt [0, ${clean.length})`);
    }
  }
  const sigma = corruption.sigma ?? NOISE_STD_FACTOR * (await embeddingStd(model));
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new Error(`noise corruption: sigma must be a finite number ≥ 0, got ${sigma}`);
  const normal = gaussian(corruption.seed ?? 0);
  const d = model.spec.dModel;
  const interventions: Intervention[] = positions
    .sort((a, b) => a - b)
    .map((pos) => ({ hook: hook.embed, op: 'add', pos, vector: Array.from({ length: d }, () => sigma * normal()) }));
  return { ids: clean, interventions, noiseSigma: sigma };
}
