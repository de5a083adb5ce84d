import { describe, expect, it } from 'vitest';
import { HISTORY_LIMIT, recordEdit, redoEdit, startHistory, undoEdit, undoKey } from './undo-history.ts';

describe('undo history', () => {
  it('undoes and redoes edits in order; a new edit clears redo', () => {
    let h = startHistory('a');
    h = recordEdit(h, 'ab', 0);
    h = recordEdit(h, 'abc', 10_000);
    h = undoEdit(h);
    expect(h.present).toBe('ab');
    h = undoEdit(h);
    expect(h.present).toBe('a');
    expect(undoEdit(h)).toBe(h);
    h = redoEdit(h);
    expect(h.present).toBe('ab');
    h = recordEdit(h, 'abX', 20_000);
    expect(h.future).toEqual([]);
    expect(redoEdit(h)).toBe(h);
    expect(undoEdit(h).present).toBe('ab');
  });

  it('merges a burst of typing into one step', () => {
    let h = startHistory('');
    for (const [i, text] of ['O', 'On', 'Onc', 'Once'].entries()) h = recordEdit(h, text, i * 100, 800);
    expect(h.past).toEqual(['']);
    h = recordEdit(h, 'Once upon', 5_000, 800);
    expect(undoEdit(h).present).toBe('Once');
    expect(undoEdit(undoEdit(h)).present).toBe('');
  });

  it('ignores no-op edits and keeps at most HISTORY_LIMIT steps', () => {
    const h0 = startHistory(0);
    expect(recordEdit(h0, 0, 1)).toBe(h0);
    let h = h0;
    for (let i = 1; i <= HISTORY_LIMIT + 10; i++) h = recordEdit(h, i, i * 10_000);
    expect(h.past.length).toBe(HISTORY_LIMIT);
    expect(h.past[0]).toBe(10);
  });

  it('reads the undo and redo keys', () => {
    const k = { key: 'z', ctrlKey: true, metaKey: false, shiftKey: false, altKey: false };
    expect(undoKey(k)).toBe('undo');
    expect(undoKey({ ...k, shiftKey: true, key: 'Z' })).toBe('redo');
    expect(undoKey({ ...k, key: 'y' })).toBe('redo');
    expect(undoKey({ ...k, ctrlKey: false, metaKey: true })).toBe('undo');
    expect(undoKey({ ...k, ctrlKey: false })).toBeNull();
    expect(undoKey({ ...k, key: 'a' })).toBeNull();
  });
});
