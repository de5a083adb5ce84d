/** The open model as notebooks see it: its name (what a model cell must say) and its cache identity. */
import { useModel } from '../app/model-state.tsx';
import { useModelReference } from '../projects/index.ts';
import { modelIdentity, SESSION_NONCE } from './model-identity.ts';

export interface NotebookModel {
  /** e.g. "builtin:stories260K"; null while no model is open. */
  readonly label: string | null;
  readonly identity: string | null;
  /** Why a run cannot start now, or null. */
  readonly blocked: string | null;
}

export function useNotebookModel(): NotebookModel {
  const { card, load } = useModel();
  const reference = useModelReference();
  const label = card?.label ?? null;
  const identity = modelIdentity(label, reference, SESSION_NONCE);
  const blocked = load.status === 'running' || !card ? 'Waiting for the model…' : identity === null ? 'Identifying the model…' : null;
  return { label, identity, blocked };
}
