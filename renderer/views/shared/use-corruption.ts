/** The corruption chosen in a patching view, as job parameters, or why it cannot be used. */
import type { CorruptionParams } from '../../worker/method-contracts.ts';
import type { CorruptionChoice } from './CorruptionFields.tsx';
import { parsePositions } from './CorruptionFields.tsx';
import type { PairInput } from './use-pair-input.ts';

export function corruptionParams(choice: CorruptionChoice, pair: PairInput): { params: CorruptionParams | null; blocked: string | null } {
  if (pair.blocked) return { params: null, blocked: pair.blocked };
  if (choice.kind === 'tokens') {
    if (pair.pairBlocked) return { params: null, blocked: pair.pairBlocked };
    return { params: { kind: 'tokens', ids: pair.corrupted!.map((t) => t.id) }, blocked: null };
  }
  const positions = parsePositions(choice.positions, pair.clean!.length);
  if (!positions) return { params: null, blocked: `Noised positions must be positions of the prompt (0–${pair.clean!.length - 1}), e.g. 3, 5-7.` };
  return { params: { kind: 'noise', positions, seed: choice.seed }, blocked: null };
}
