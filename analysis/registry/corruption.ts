/** How patching steps name their corrupted run: another prompt of equal length, or embedding noise. */
import { z } from 'zod';
import type { Corruption } from '../methods/corruption.ts';
import type { Model } from '../model/model.ts';
import type { MethodInputs, PromptRefUse } from './contract.ts';
import { PromptRefSchema, promptIds } from './common.ts';

const Noise = z.strictObject({
  positions: z.array(z.number().int().nonnegative()).min(1).max(1024).describe('Positions whose token embeddings get Gaussian noise.'),
  sigma: z.number().nonnegative().optional().describe('Default 3 × the std of the embedding matrix.'),
  seed: z.number().int().min(0).default(0),
});

/** A prompt of the same token length (symmetric token replacement), or `{noise: …}` on the clean prompt. */
export const CorruptionSchema = z.union([PromptRefSchema, z.strictObject({ noise: Noise })]).meta({ input: 'corruption' });
export type CorruptionParam = z.infer<typeof CorruptionSchema>;

export function corruptionOf(model: Model, ctx: MethodInputs, p: CorruptionParam, field: string): Corruption {
  if (typeof p === 'object') return { kind: 'noise', positions: p.noise.positions, sigma: p.noise.sigma, seed: p.noise.seed };
  return { kind: 'tokens', ids: promptIds(model, ctx, p, field) };
}

export function corruptionRefs(p: CorruptionParam, field: string): PromptRefUse[] {
  return typeof p === 'object' ? [] : [{ field, ref: p }];
}

/** The command-line names the patching commands had before the registry (README commands). */
export const PATCH_FLAG_ALIASES: Readonly<Record<string, string>> = {
  'corrupt-prompt': 'corrupted-prompt',
  'corrupt-ids': 'corrupted-ids',
  'all-positions': 'no-by-position',
  pos: 'position',
};
