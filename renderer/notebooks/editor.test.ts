/**
 * The editor's pure logic: edits keep each cell's key (so outputs follow their cells), new
 * cells are valid where they are inserted, documents open (or are refused) with the
 * validator's messages, and problems are grouped by cell and params field.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NotebookInput } from '../../notebooks/schema.ts';
import { METHODS } from '../../analysis/registry/registry.ts';
import { newCell } from './cell-templates.ts';
import { cellJsonText, parseCellJson, parseParamsJson } from './cell-json.ts';
import { checkNotebook, fieldIssues, issueText } from './check.ts';
import { editNotebook, initialEditor } from './editor-state.ts';
import { EXAMPLES } from './examples.ts';
import { openNotebookData, openNotebookText } from './open-notebook.ts';

const exampleText = readFileSync(path.resolve(import.meta.dirname, '../../notebooks/examples/logit-lens.probescope-notebook.json'), 'utf8');
const example = JSON.parse(exampleText) as NotebookInput;

describe('editor state', () => {
  it('keeps every cell’s key through insert, move, replace and delete', () => {
    let s = initialEditor(example);
    const [md, model, story, lens, heat] = s.keys;
    s = editNotebook(s, { type: 'insert', index: 1, cell: { kind: 'markdown', text: 'new' } });
    expect(s.keys[0]).toBe(md);
    expect(s.keys[2]).toBe(model);
    const inserted = s.keys[1];
    s = editNotebook(s, { type: 'move', from: 1, to: 0 });
    expect(s.keys.slice(0, 2)).toEqual([inserted, md]);
    s = editNotebook(s, { type: 'replace', index: 4, cell: { ...(s.doc.cells[4] as Extract<NotebookInput['cells'][number], { kind: 'analysis' }>), params: { topK: 3 } } });
    expect(s.keys[4]).toBe(lens);
    // Deleting the step deletes the three figures drawn from it.
    s = editNotebook(s, { type: 'delete', index: 4 });
    expect(s.doc.cells.map((c) => c.kind)).toEqual(['markdown', 'markdown', 'model', 'prompts', 'markdown']);
    expect(s.keys).not.toContain(heat);
    expect(s.keys.slice(2, 4)).toEqual([model, story]);
    expect(s.revision).toBe(4);
    const reloaded = editNotebook(s, { type: 'load', doc: example });
    expect(reloaded.keys.some((k) => s.keys.includes(k))).toBe(false);
  });
});

describe('new cells', () => {
  it('are valid where they are inserted', () => {
    const doc = openNotebookData(example);
    if (!doc.ok) throw new Error('example did not open');
    for (const kind of ['markdown', 'prompts', 'analysis', 'figure'] as const) {
      const at = doc.doc.cells.length;
      const next = { ...doc.doc, cells: [...doc.doc.cells, newCell(kind, doc.doc, at, 'builtin:stories260K')] };
      expect(checkNotebook(next).issues, kind).toEqual([]);
    }
    const analysis = newCell('analysis', doc.doc, 0, null);
    expect(analysis).toMatchObject({ kind: 'analysis', id: 'logitLens', method: 'logit-lens' });
    expect(newCell('figure', doc.doc, 8, null)).toMatchObject({ of: 'lens', type: 'heatmap', options: { view: 'top1' } });
    expect(newCell('model', doc.doc, 0, 'my-model')).toMatchObject({ id: 'model2', ref: 'my-model' });
  });
});

describe('opening notebooks', () => {
  it('bundles every example, and each opens without problems', () => {
    expect(EXAMPLES.map((e) => e.id)).toContain('logit-lens');
    for (const e of EXAMPLES) {
      const opened = openNotebookData(e.data);
      expect(opened.ok && checkNotebook(opened.doc).issues, e.id).toEqual([]);
    }
  });

  it('opens a notebook with cross-cell problems, to fix them in the editor', () => {
    const broken = { ...example, cells: example.cells.map((c) => (c.kind === 'figure' ? { ...c, of: 'nowhere' } : c)) };
    const opened = openNotebookText(JSON.stringify(broken));
    expect(opened.ok).toBe(true);
    if (opened.ok) expect(checkNotebook(opened.doc).byCell.get(4)?.[0].message).toBe('no analysis step "nowhere" in this notebook');
  });

  it('refuses what the editor cannot show, with the validator’s messages', () => {
    const refuse = (text: string) => {
      const opened = openNotebookText(text);
      return opened.ok ? [] : opened.issues.map((i) => `${i.where}: ${i.message}`);
    };
    expect(refuse('{ not json')[0]).toMatch(/^\(file\): not valid JSON/);
    expect(refuse('{"format": "other"}')[0]).toMatch(/not a Probescope notebook/);
    expect(refuse(JSON.stringify({ ...example, version: 9 }))[0]).toMatch(/written by a newer Probescope/);
    expect(refuse(JSON.stringify({ ...example, cells: [{ kind: 'script', code: 'alert(1)' }] }))[0]).toMatch(/"kind" must be one of/);
    expect(refuse('{"format":"probescope.notebook","version":1,"title":"t","cells":[{"kind":"analysis","id":"a","method":"dla","params":{"__proto__":{"x":1}}}]}')[0]).toMatch(/__proto__/);
  });
});

describe('validation for the editor', () => {
  it('groups issues by cell and shows them without the cell’s name', () => {
    const bad = { ...example, cells: example.cells.map((c) => (c.kind === 'analysis' ? { ...c, params: { ...c.params, topK: 500 } } : c)) };
    const check = checkNotebook(bad);
    expect(check.plan).toBeNull();
    const issue = check.byCell.get(3)![0];
    expect(issue.where).toBe('cell 4 (analysis "lens") params.topK');
    expect(issueText(issue, bad.cells[3])).toBe('params.topK: Too big: expected number to be <=50');
  });

  it('groups a step’s params issues by field', () => {
    const lens = METHODS.get('logit-lens')!;
    const issues = fieldIssues(lens, { topK: 0, targets: [' she', -1], colour: 'red' });
    expect(issues.get('topK')).toEqual(['Too small: expected number to be >=1']);
    expect(issues.get('targets')?.[0]).toMatch(/^\[1\]: /);
    expect(issues.get('')).toEqual(['Unrecognized key: "colour"']);
    expect(fieldIssues(lens, { topK: 3 }).size).toBe(0);
  });
});

describe('cells and params as JSON', () => {
  it('checks a cell’s fields against the cell schema, keeping its kind', () => {
    const prompts = example.cells[2];
    const text = cellJsonText(prompts);
    expect(text).not.toContain('"kind"');
    expect(parseCellJson('prompts', text)).toEqual({ ok: true, value: prompts });
    expect(parseCellJson('prompts', '{"id": "story", "prompts": []}')).toEqual({ ok: false, errors: ['prompts: Too small: expected array to have >=1 items'] });
    expect(parseCellJson('prompts', '{"kind": "markdown", "text": "x"}')).toMatchObject({ ok: false, errors: [expect.stringMatching(/cannot change/)] });
    expect(parseCellJson('prompts', '{"id": ')).toMatchObject({ ok: false, errors: [expect.stringMatching(/^not valid JSON/)] });
  });

  it('accepts any JSON object as params (the step’s schema reports on it)', () => {
    expect(parseParamsJson('{"topK": "five"}')).toEqual({ ok: true, value: { topK: 'five' } });
    expect(parseParamsJson('[1]')).toEqual({ ok: false, errors: ['expected a JSON object { … }'] });
  });
});
