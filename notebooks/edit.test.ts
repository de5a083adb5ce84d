import { describe, expect, it } from 'vitest';
import { deleteCell, insertCell, moveCell, newNotebook, replaceCell, setParams, uniqueId } from './edit.ts';
import { NotebookValidationError, validateNotebook } from './validate.ts';

function sample() {
  let nb = newNotebook('edits');
  nb = insertCell(nb, 1, { kind: 'prompts', id: 'p', prompts: [{ text: 'Once upon a time' }] });
  nb = insertCell(nb, 2, { kind: 'analysis', id: uniqueId(nb, 'lens'), method: 'logit-lens', params: {} });
  nb = insertCell(nb, 3, { kind: 'figure', of: 'lens', type: 'heatmap' });
  return nb;
}

describe('notebook edits', () => {
  it('builds a valid notebook cell by cell, without touching the previous version', () => {
    const nb = sample();
    expect(validateNotebook(nb).analyses.size).toBe(1);
    const before = JSON.stringify(nb);
    const edited = setParams(nb, 'lens', { topK: 3 });
    expect(JSON.stringify(nb)).toBe(before);
    expect(validateNotebook(edited).analyses.get(2)!.params).toMatchObject({ topK: 3 });
  });

  it('makes unique, valid ids', () => {
    const nb = insertCell(sample(), 4, { kind: 'analysis', id: 'lens2', method: 'logit-lens', params: {} });
    expect(uniqueId(nb, 'lens')).toBe('lens3');
    expect(uniqueId(nb, '2 fancy name!')).toBe('fancyname');
    expect(uniqueId(nb, '***')).toBe('cell');
  });

  it('moves cells; moving a figure above its step makes the notebook invalid at that figure', () => {
    const moved = moveCell(sample(), 3, 1);
    expect(moved.cells.map((c) => c.kind)).toEqual(['model', 'figure', 'prompts', 'analysis']);
    expect(() => validateNotebook(moved)).toThrow(NotebookValidationError);
    expect(moveCell(moveCell(sample(), 3, 1), 1, 3)).toEqual(sample());
  });

  it('deletes a step together with the figures drawn from it', () => {
    const nb = deleteCell(sample(), 2);
    expect(nb.cells.map((c) => c.kind)).toEqual(['model', 'prompts']);
    expect(validateNotebook(nb).figures.size).toBe(0);
    expect(deleteCell(sample(), 3).cells).toHaveLength(3);
  });

  it('refuses out-of-range indexes, kind changes and params on non-steps', () => {
    expect(() => moveCell(sample(), 0, 4)).toThrow('cell index 4 is outside 0..3');
    expect(() => insertCell(sample(), 5, { kind: 'markdown', text: '' })).toThrow('outside 0..4');
    expect(() => replaceCell(sample(), 0, { kind: 'markdown', text: '' })).toThrow('cell 1 is a model cell; it cannot become a markdown cell');
    expect(() => setParams(sample(), 'p', {})).toThrow('no analysis cell "p"');
  });
});
