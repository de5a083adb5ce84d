/**
 * The notebook editor's state: the document, a stable key per cell (so React keeps a cell's
 * component, and a run's outputs stay with their cell, across moves, inserts and deletes), and
 * a revision that counts edits. Every edit goes through notebooks/edit.ts; this only keeps the
 * keys in step with it.
 */
import { deleteCell, insertCell, moveCell, replaceCell } from '../../notebooks/edit.ts';
import type { NotebookInput } from '../../notebooks/schema.ts';

export type CellInput = NotebookInput['cells'][number];

export interface EditorState {
  readonly doc: NotebookInput;
  /** keys[i] belongs to doc.cells[i]. */
  readonly keys: readonly string[];
  /** Bumped by every change of the document. */
  readonly revision: number;
  /** Next key number (keys are never reused). */
  readonly nextKey: number;
}

export type EditAction =
  | { readonly type: 'load'; readonly doc: NotebookInput }
  | { readonly type: 'insert'; readonly index: number; readonly cell: CellInput }
  | { readonly type: 'move'; readonly from: number; readonly to: number }
  | { readonly type: 'delete'; readonly index: number }
  | { readonly type: 'replace'; readonly index: number; readonly cell: CellInput }
  | { readonly type: 'title'; readonly title: string };

function freshKeys(count: number, from: number): string[] {
  return Array.from({ length: count }, (_, i) => `cell-${from + i}`);
}

export function initialEditor(doc: NotebookInput): EditorState {
  return { doc, keys: freshKeys(doc.cells.length, 1), revision: 0, nextKey: doc.cells.length + 1 };
}

/** Keys of the cells that survived an edit (edit.ts keeps the objects of untouched cells). */
function keptKeys(before: EditorState, cells: readonly CellInput[]): string[] {
  return cells.map((cell) => {
    const at = before.doc.cells.indexOf(cell);
    if (at < 0) throw new Error('internal: an edit produced a cell that was not in the notebook');
    return before.keys[at];
  });
}

export function editNotebook(state: EditorState, action: EditAction): EditorState {
  const next = (doc: NotebookInput, keys: readonly string[], nextKey = state.nextKey): EditorState => ({ doc, keys, nextKey, revision: state.revision + 1 });
  switch (action.type) {
    case 'load':
      return next(action.doc, freshKeys(action.doc.cells.length, state.nextKey), state.nextKey + action.doc.cells.length);
    case 'insert': {
      const keys = [...state.keys];
      keys.splice(action.index, 0, `cell-${state.nextKey}`);
      return next(insertCell(state.doc, action.index, action.cell), keys, state.nextKey + 1);
    }
    case 'move': {
      const keys = [...state.keys];
      const [key] = keys.splice(action.from, 1);
      keys.splice(action.to, 0, key);
      return next(moveCell(state.doc, action.from, action.to), keys);
    }
    case 'delete': {
      const doc = deleteCell(state.doc, action.index);
      return next(doc, keptKeys(state, doc.cells));
    }
    case 'replace':
      return next(replaceCell(state.doc, action.index, action.cell), state.keys);
    case 'title':
      return next({ ...state.doc, title: action.title }, state.keys);
  }
}
