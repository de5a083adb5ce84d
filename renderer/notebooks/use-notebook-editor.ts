/**
 * The open notebook: its editor state (editor-state.ts), live validation, per-cell signatures,
 * where it came from and whether it is saved.
 */
import { useCallback, useMemo, useReducer, useState } from 'react';
import type { History } from '../app/undo-history.ts';
import { recordEdit, redoEdit, startHistory, undoEdit } from '../app/undo-history.ts';
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
  /** Takes back / re-applies the last edit (a load starts a fresh history). */
  undo(): void;
  redo(): void;
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  load(doc: NotebookInput, origin: string, saved?: Omit<SavedAt, 'revision'>): void;
  /** The notebook as it was at `at.revision` is saved at `at`. */
  markSaved(at: SavedAt): void;
}

type HistoryAction = EditAction | { readonly type: 'undo' } | { readonly type: 'redo' };

/** A restored state counts as a new revision (saved-ness is by revision) and never reuses cell keys. */
function restore(h: History<EditorState>, moved: History<EditorState>): History<EditorState> {
  if (moved === h) return h;
  const present = { ...moved.present, revision: h.present.revision + 1, nextKey: Math.max(h.present.nextKey, moved.present.nextKey) };
  return { ...moved, present };
}

export function editWithHistory(h: History<EditorState>, action: HistoryAction): History<EditorState> {
  if (action.type === 'undo') return restore(h, undoEdit(h));
  if (action.type === 'redo') return restore(h, redoEdit(h));
  const next = editNotebook(h.present, action);
  // Typing in a text cell or the title replaces a cell many times a second: one step per burst.
  return action.type === 'load' ? startHistory(next) : recordEdit(h, next, performance.now(), action.type === 'replace' || action.type === 'title' ? 800 : 0);
}

export function useNotebookEditor(initial: NotebookInput, initialOrigin: string): NotebookEditor {
  const [history, dispatch] = useReducer(editWithHistory, initial, (doc) => startHistory(initialEditor(doc)));
  const state = history.present;
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
    undo: useCallback(() => dispatch({ type: 'undo' }), []),
    redo: useCallback(() => dispatch({ type: 'redo' }), []),
    canUndo: history.past.length > 0,
    canRedo: history.future.length > 0,
    load,
    markSaved,
  };
}
