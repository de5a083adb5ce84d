import { describe, expect, it } from 'vitest';
import { newNotebook } from '../../notebooks/edit.ts';
import { startHistory } from '../app/undo-history.ts';
import { initialEditor } from './editor-state.ts';
import { editWithHistory } from './use-notebook-editor.ts';

describe('notebook undo/redo', () => {
  it('undoes an insert and a delete, with fresh revisions and no reused cell keys', () => {
    let h = startHistory(initialEditor(newNotebook('t')));
    const empty = h.present;
    h = editWithHistory(h, { type: 'insert', index: 0, cell: { kind: 'markdown', text: 'a' } });
    const inserted = h.present;
    h = editWithHistory(h, { type: 'delete', index: 0 });
    expect(h.present.doc.cells).toHaveLength(empty.doc.cells.length);
    h = editWithHistory(h, { type: 'undo' });
    expect(h.present.doc).toBe(inserted.doc);
    expect(h.present.revision).toBeGreaterThan(inserted.revision + 1);
    h = editWithHistory(h, { type: 'undo' });
    expect(h.present.doc).toBe(empty.doc);
    h = editWithHistory(h, { type: 'redo' });
    expect(h.present.doc).toBe(inserted.doc);
    // A cell inserted now gets a key never used before.
    const issued = new Set([...empty.keys, ...inserted.keys]);
    h = editWithHistory(h, { type: 'insert', index: 0, cell: { kind: 'markdown', text: 'b' } });
    expect(issued.has(h.present.keys[0])).toBe(false);
  });

  it('starts a fresh history when another notebook is loaded', () => {
    let h = startHistory(initialEditor(newNotebook('t')));
    h = editWithHistory(h, { type: 'title', title: 'x' });
    h = editWithHistory(h, { type: 'load', doc: newNotebook('other') });
    expect(h.past).toHaveLength(0);
    expect(editWithHistory(h, { type: 'undo' })).toBe(h);
  });
});
