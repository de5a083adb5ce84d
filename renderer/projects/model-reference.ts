/**
 * The open model as a project's model reference: its name and its content identity, which the
 * worker computes when it opens the model (analysis/formats/model-identity.ts) — the same for
 * the built-in model, a picked folder or GGUF file, Electron's model protocol and the CLI.
 */
import { useMemo } from 'react';
import { useModel } from '../app/model-state.tsx';
import type { ModelReference } from '../storage/records.ts';

/** The reference of the model in use, or null while none is open. */
export function useModelReference(): ModelReference | null {
  const card = useModel().card;
  return useMemo(() => (card ? { name: card.label.replace(/^builtin:/, ''), hash: card.identity } : null), [card]);
}
