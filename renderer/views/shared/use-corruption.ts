/**
 * The corruption chosen in a patching view as registry params (analysis/registry/corruption.ts):
 * the corrupted prompt as prompt 1 beside the clean prompt 0, or embedding noise on the clean
 * prompt; or why it cannot be used.
 */
import type { PromptItem } from '../../../analysis/registry/contract.ts';
import type { CorruptionChoice } from './CorruptionFields.tsx';
import { parsePositions } from './CorruptionFields.tsx';
import type { PairInput } from './use-pair-input.ts';

export type CorruptedParam = 1 | { readonly noise: { readonly positions: readonly number[]; readonly sigma?: number; readonly seed: number } };

export interface ChosenCorruption {
  /** `clean` is prompt 0 of `prompts`. */
  readonly params: { readonly clean: 0; readonly corrupted: CorruptedParam } | null;
  readonly prompts: readonly PromptItem[];
  readonly blocked: string | null;
}

export function corruptionParams(choice: CorruptionChoice, pair: PairInput): ChosenCorruption {
  if (pair.blocked) return { params: null, prompts: [], blocked: pair.blocked };
  const clean = { ids: pair.clean!.map((t) => t.id) };
  if (choice.kind === 'tokens') {
    if (pair.pairBlocked) return { params: null, prompts: [], blocked: pair.pairBlocked };
    return { params: { clean: 0, corrupted: 1 }, prompts: [clean, { ids: pair.corrupted!.map((t) => t.id) }], blocked: null };
  }
  const positions = parsePositions(choice.positions, pair.clean!.length);
  if (!positions) return { params: null, prompts: [], blocked: `Noised positions must be positions of the prompt (0–${pair.clean!.length - 1}), e.g. 3, 5-7.` };
  const sigma = choice.sigma.trim() === '' ? undefined : Number(choice.sigma);
  if (sigma !== undefined && !(Number.isFinite(sigma) && sigma >= 0)) return { params: null, prompts: [], blocked: 'Noise σ must be a number ≥ 0 (blank: 3 × the embedding std).' };
  return { params: { clean: 0, corrupted: { noise: { positions, ...(sigma === undefined ? {} : { sigma }), seed: choice.seed } } }, prompts: [clean], blocked: null };
}
