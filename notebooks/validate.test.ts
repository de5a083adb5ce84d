import { describe, expect, it } from 'vitest';
import type { NotebookInput } from './schema.ts';
import { LIMITS } from './schema.ts';
import { NotebookValidationError, parseNotebookText, validateNotebook } from './validate.ts';

function good(): NotebookInput {
  return {
    format: 'probescope.notebook',
    version: 2,
    title: 'lens',
    cells: [
      { kind: 'markdown', text: '# Title' },
      { kind: 'model', id: 'm', ref: 'builtin:stories260K' },
      { kind: 'prompts', id: 'p', prompts: [{ label: 'story', text: 'Once upon a time' }, { ids: [1, 2, 3] }] },
      { kind: 'analysis', id: 'lens', method: 'logit-lens', params: { prompt: 'story', topK: 3 } },
      { kind: 'figure', of: 'lens', type: 'heatmap' },
    ],
  };
}

/** The issues of an invalid notebook (fails the test when it is valid). */
function issues(data: unknown): { where: string; message: string }[] {
  try {
    validateNotebook(data);
  } catch (e) {
    expect(e).toBeInstanceOf(NotebookValidationError);
    return (e as NotebookValidationError).issues.map(({ where, message }) => ({ where, message }));
  }
  throw new Error('expected the notebook to be rejected');
}

function withCells(...cells: unknown[]): unknown {
  return { ...good(), cells: [...good().cells, ...cells] };
}

describe('notebook validation', () => {
  it('accepts a good notebook and binds steps to their model, prompts and figure views', () => {
    const plan = validateNotebook(good());
    expect(plan.fromVersion).toBe(2);
    const lens = plan.analyses.get(3)!;
    expect(lens.model).toBe(1);
    expect(lens.input).toBe(2);
    // defaults applied: the cache key hashes these
    expect(lens.params).toEqual({ prompt: 'story', topK: 3, targets: [], readFrom: 'resid_pre', nextToken: false });
    expect(plan.figures.get(4)).toMatchObject({ of: 3, view: 'top1', type: 'heatmap' });
  });

  it('parses text, and reports JSON syntax errors as such', () => {
    expect(parseNotebookText(JSON.stringify(good())).notebook.title).toBe('lens');
    expect(() => parseNotebookText('{"format": ')).toThrow(/not valid JSON/);
  });

  it('rejects an unknown method, naming the cell and the methods that exist', () => {
    const found = issues(withCells({ kind: 'analysis', id: 'x', method: 'mind-reader', params: {} }));
    expect(found).toEqual([{ where: 'cell 6 (analysis "x") method', message: expect.stringMatching(/unknown method "mind-reader" \(available: .*logit-lens/) }]);
  });

  it('rejects bad params with the field path, per method schema', () => {
    const found = issues(withCells({ kind: 'analysis', id: 'x', method: 'logit-lens', params: { topK: 0, readFrom: 'resid_mid', bogus: 1 } }));
    const wheres = found.map((i) => i.where);
    expect(wheres).toContain('cell 6 (analysis "x") params.topK');
    expect(wheres).toContain('cell 6 (analysis "x") params.readFrom');
    expect(found.some((i) => i.where === 'cell 6 (analysis "x") params' && /bogus/.test(i.message))).toBe(true);
  });

  it('rejects a figure of a missing step, of a later step, and of a non-analysis cell', () => {
    expect(issues(withCells({ kind: 'figure', of: 'nope', type: 'bar' }))).toEqual([{ where: 'cell 6 (figure) of', message: 'no analysis step "nope" in this notebook' }]);
    const later = good();
    later.cells.splice(3, 0, { kind: 'figure', of: 'lens', type: 'heatmap' });
    expect(issues(later)[0]).toEqual({ where: 'cell 4 (figure) of', message: 'step "lens" comes after this figure; a figure draws a step above it' });
    expect(issues(withCells({ kind: 'figure', of: 'p', type: 'table' }))[0].message).toBe('cell "p" is a prompts cell, not an analysis step');
  });

  it('rejects a view the step does not have, and a figure type the view cannot take', () => {
    expect(issues(withCells({ kind: 'figure', of: 'lens', type: 'table', options: { view: 'nothing' } }))[0].message).toMatch(/has no view "nothing" \(views: top1, /);
    expect(issues(withCells({ kind: 'figure', of: 'lens', type: 'heatmap', options: { view: 'top-tokens' } }))[0]).toEqual({
      where: 'cell 6 (figure) type',
      message: 'view "top-tokens" is a table, which can be drawn as table, not heatmap',
    });
  });

  it('rejects a dangling prompt reference with the labels that exist', () => {
    const found = issues(withCells({ kind: 'analysis', id: 'x', method: 'logit-lens', params: { prompt: 'poem' } }));
    expect(found).toEqual([{ where: 'cell 6 (analysis "x") params.prompt', message: 'no prompt labelled "poem" in prompts cell "p" (labels: story)' }]);
    expect(issues(withCells({ kind: 'analysis', id: 'x', method: 'logit-lens', params: { prompt: 2 } }))[0].message).toMatch(/prompt 2 does not exist: prompts cell "p" has 2/);
  });

  it('needs a model cell above each step, and the right kind of input cell', () => {
    const noModel = { ...good(), cells: good().cells.filter((c) => c.kind !== 'model') };
    expect(issues(noModel)).toEqual([{ where: 'cell 3 (analysis "lens")', message: 'needs a model cell above it' }]);
    expect(issues(withCells({ kind: 'analysis', id: 'pr', method: 'probe', params: {} }))).toEqual([{ where: 'cell 6 (analysis "pr")', message: 'needs a dataset cell above it' }]);
    expect(issues(withCells({ kind: 'analysis', id: 'x', method: 'logit-lens', params: {}, model: 'p' }))[0].message).toBe('cell "p" is a prompts cell, expected model');
  });

  it('rejects duplicate ids, unknown cell kinds and unknown fields', () => {
    expect(issues(withCells({ kind: 'model', id: 'm', ref: 'builtin:stories260K' }))[0]).toEqual({ where: 'cell 6 (model "m") id', message: '"m" is already the id of cell 2 (model "m")' });
    expect(issues(withCells({ kind: 'script', code: 'rm -rf /' }))[0]).toEqual({ where: 'cell 6 (script)', message: '"kind" must be one of markdown, model, prompts, dataset, analysis, figure' });
    expect(issues(withCells({ kind: 'markdown', text: 'x', html: '<script>' }))[0].where).toBe('cell 6 (markdown)');
  });

  it('gives editors the index of the cell each issue is in', () => {
    try {
      validateNotebook(withCells({ kind: 'figure', of: 'nope', type: 'bar' }, { kind: 'analysis', id: 'x', method: 'logit-lens', params: { topK: -1 } }, { kind: 'script' }));
      throw new Error('expected the notebook to be rejected');
    } catch (e) {
      // Schema problems are reported before cross-cell ones: the unknown kind first.
      expect((e as NotebookValidationError).issues.map((i) => i.cell)).toEqual([7]);
    }
    try {
      validateNotebook(withCells({ kind: 'figure', of: 'nope', type: 'bar' }, { kind: 'analysis', id: 'x', method: 'logit-lens', params: { topK: -1 } }));
      throw new Error('expected the notebook to be rejected');
    } catch (e) {
      expect((e as NotebookValidationError).issues.map((i) => [i.cell, i.where])).toEqual([
        [5, 'cell 6 (figure) of'],
        [6, 'cell 7 (analysis "x") params.topK'],
      ]);
    }
  });

  it('rejects __proto__, constructor and prototype keys anywhere', () => {
    const proto = JSON.parse('{"format":"probescope.notebook","version":1,"title":"t","cells":[{"kind":"markdown","text":"x","__proto__":{"polluted":true}}]}') as unknown;
    expect(issues(proto)).toEqual([{ where: 'cells[0].__proto__', message: 'the key "__proto__" is not allowed (notebooks are plain data)' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const nested = withCells({ kind: 'analysis', id: 'x', method: 'logit-lens', params: { constructor: { prototype: 1 } } });
    expect(issues(nested)[0].message).toMatch(/"constructor" is not allowed/);
  });

  it('rejects oversized notebooks, too many cells and deep nesting', () => {
    const big = 'x'.repeat(LIMITS.maxBytes + 1);
    expect(() => parseNotebookText(big)).toThrow(/notebooks are limited to 4194304 bytes/);
    expect(issues({ ...good(), description: 'x'.repeat(LIMITS.maxBytes) })[0].message).toMatch(/limited to/);
    const many = { ...good(), cells: Array.from({ length: LIMITS.maxCells + 1 }, () => ({ kind: 'markdown', text: '' })) };
    expect(issues(many)[0]).toMatchObject({ where: 'cells', message: expect.stringMatching(/256/) });
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(issues(withCells({ kind: 'analysis', id: 'x', method: 'logit-lens', params: { targets: deep } }))[0].message).toMatch(/nested deeper than 32 levels/);
  });

  it('rejects files that are not notebooks, and versions from the future', () => {
    expect(issues([])[0].message).toMatch(/got an array/);
    expect(issues({ ...good(), format: 'jupyter' })[0].message).toMatch(/not a Probescope notebook: "format" is "jupyter"/);
    expect(issues({ ...good(), version: 3 })[0].message).toBe('this notebook is format version 3, written by a newer Probescope; this one reads versions 1 to 2');
    expect(issues({ ...good(), version: 0 })[0].message).toMatch(/positive integer/);
  });
});
