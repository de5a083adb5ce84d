/** The open model as notebooks see it: its name (what a model cell must say) and its cache identity. */
import { identityKey } from '../../analysis/formats/model-identity.ts';
import { useModel } from '../app/model-state.tsx';

export interface NotebookModel {
  /** e.g. "builtin:stories260K"; null while no model is open. */
  readonly label: string | null;
  /** The model's content identity as a cache-key string (the CLI's notebook cache uses the same). */
  readonly identity: string | null;
  /** Why a run cannot start now, or null. */
  readonly blocked: string | null;
}

export function useNotebookModel(): NotebookModel {
  const { card, load } = useModel();
  const label = card?.label ?? null;
  const identity = card ? identityKey(card.identity) : null;
  const blocked = load.status === 'running' || !card ? 'Waiting for the model…' : null;
  return { label, identity, blocked };
}
