/**
 * The open notebook: its editor state (editor-state.ts), live validation, per-cell signatures,
 * where it came from and whether it is saved.
 */
import { useCallback, useMemo, useReducer, useState } from 'react';
import type { NotebookInput } from '../../notebooks/schema.ts';
import type { NotebookCheck } from './check.ts';
import { checkNotebook } from './check.ts';
import type { EditAction, EditorState } from './editor-state.ts';
import { editNotebook, initialEditor } from './editor-state.ts';
import { cellSignatures } from './run-record.ts';

/** Where the open notebook lives in a project, and the revision saved there. */
export interface SavedAt {
  readonly projectId: string;
  readonly id: string;
  readonly revision: number;
}

export interface NotebookEditor {
  readonly state: EditorState;
  readonly check: NotebookCheck;
  readonly signatures: readonly string[];
  /** "Example: …", "File: …", "Project: …", shown under the title. */
  readonly origin: string;
  readonly saved: SavedAt | null;
  readonly dirty: boolean;
  edit(action: EditAction): void;
  load(doc: NotebookInput, origin: string, saved?: Omit<SavedAt, 'revision'>): void;
  /** The notebook as it was at `at.revision` is saved at `at`. */
  markSaved(at: SavedAt): void;
}

export function useNotebookEditor(initial: NotebookInput, initialOrigin: string): NotebookEditor {
  const [state, dispatch] = useReducer(editNotebook, initial, initialEditor);
  const [origin, setOrigin] = useState(initialOrigin);
  const [saved, setSaved] = useState<SavedAt | null>(null);
  const check = useMemo(() => checkNotebook(state.doc), [state.doc]);
  const signatures = useMemo(() => cellSignatures(state.doc), [state.doc]);

  const load = useCallback(
    (doc: NotebookInput, from: string, at?: Omit<SavedAt, 'revision'>) => {
      dispatch({ type: 'load', doc });
      setOrigin(from);
      // The load itself is the next revision.
      setSaved(at ? { ...at, revision: state.revision + 1 } : null);
    },
    [state.revision],
  );
  const markSaved = useCallback((at: SavedAt) => setSaved(at), []);

  return {
    state,
    check,
    signatures,
    origin,
    saved,
    dirty: saved === null || saved.revision !== state.revision,
    edit: dispatch,
    load,
    markSaved,
  };
}
