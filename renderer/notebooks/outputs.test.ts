/**
 * Form fields generated from step schemas; outputs recorded with their cells and marked
 * outdated when what they depend on changes; the report built from up-to-date outputs only;
 * figure exports; the model identity in cache keys.
 */
import { describe, expect, it } from 'vitest';
import type { CellOutput } from '../../notebooks/runner.ts';
import type { NotebookInput } from '../../notebooks/schema.ts';
import { METHODS } from '../../analysis/registry/registry.ts';
import type { NotebookRunResult } from '../worker/notebook-contracts.ts';
import { editNotebook, initialEditor } from './editor-state.ts';
import { notebookFileName, notebookJson, notebookReport } from './exports.ts';
import { figureExports, figureSpec, figureTitle } from './figure-output.ts';
import type { FigureOutput } from './figure-output.ts';
import { fieldText, paramFields, parseFieldText, withParam } from '../../analysis/registry/param-fields.ts';
import { cellSignatures, cellState, EMPTY_RECORD, recordRun, reportOutputs } from './run-record.ts';

describe('params forms from step schemas', () => {
  it('gives each param the control its schema calls for', () => {
    const fields = paramFields(METHODS.get('logit-lens')!);
    expect(fields.map((f) => [f.name, f.kind])).toEqual([
      ['prompt', 'ref'],
      ['positions', 'json'],
      ['topK', 'number'],
      ['targets', 'json'],
      ['readFrom', 'choice'],
      ['nextToken', 'boolean'],
      // The common dictionaries params every method accepts (analysis/registry/dictionary-params.ts).
      ['dictionaries', 'json'],
      ['dictionarySplice', 'choice'],
    ]);
    expect(fields[2]).toMatchObject({ integer: true, min: 1, max: 50, defaultValue: 5, required: false });
    expect(fields[4]).toMatchObject({ options: ['resid_pre', 'resid_post'] });
    const neurons = paramFields(METHODS.get('neuron-decoding')!);
    expect(neurons.find((f) => f.name === 'layer')).toMatchObject({ kind: 'number', required: true, min: 0, max: undefined });
    expect(neurons.find((f) => f.name === 'applyNormGain')).toMatchObject({ kind: 'boolean', defaultValue: false });
    // Every registered step gets a form.
    for (const step of METHODS.values()) expect(paramFields(step).length, step.method).toBeGreaterThan(0);
  });

  it('turns input text into params values and back', () => {
    const [prompt, positions, topK] = paramFields(METHODS.get('logit-lens')!);
    expect(parseFieldText(prompt, '2')).toEqual({ ok: true, value: 2 });
    expect(parseFieldText(prompt, 'lily')).toEqual({ ok: true, value: 'lily' });
    expect(parseFieldText(topK, '500')).toEqual({ ok: true, value: 500 });
    expect(parseFieldText(topK, '')).toEqual({ ok: true, value: undefined });
    expect(parseFieldText(positions, '[0, -1]')).toEqual({ ok: true, value: [0, -1] });
    expect(parseFieldText(positions, '[0,')).toMatchObject({ ok: false, error: expect.stringMatching(/^not valid JSON/) });
    expect(fieldText(positions, [0, -1])).toBe('[0,-1]');
    expect(fieldText(prompt, 'lily')).toBe('lily');
    expect(withParam({ topK: 5, prompt: 0 }, 'topK', undefined)).toEqual({ prompt: 0 });
    expect(withParam({}, 'topK', 7)).toEqual({ topK: 7 });
  });
});

const doc: NotebookInput = {
  format: 'probescope.notebook',
  version: 2,
  title: 'T',
  cells: [
    { kind: 'markdown', text: '# Hi' },
    { kind: 'model', id: 'model', ref: 'builtin:stories260K' },
    { kind: 'prompts', id: 'p', prompts: [{ text: 'Once' }] },
    { kind: 'analysis', id: 'lens', method: 'logit-lens', params: {} },
    { kind: 'figure', of: 'lens', type: 'heatmap', options: {} },
  ],
};
const figure: FigureOutput = {
  kind: 'figure',
  index: 4,
  of: 'lens',
  view: 'top1',
  type: 'heatmap',
  figure: { data: [{ type: 'heatmap', z: [[1]] }], layout: { title: { text: 'Lens &lt;s&gt;' }, width: 1100, height: 420, font: { family: 'Helvetica' } } },
  table: { columns: ['layer \\ position', '0: <s>'], rows: [['L0', 1]] },
};
const outputs: CellOutput[] = [
  { kind: 'markdown', index: 0, html: '<h1>Hi</h1>' },
  { kind: 'model', index: 1, ref: 'builtin:stories260K', identity: 'id' },
  { kind: 'prompts', index: 2, count: 1 },
  { kind: 'analysis', index: 3, id: 'lens', method: 'logit-lens', key: 'k'.repeat(64), cached: false, ms: 5, result: { layers: ['L0'] } },
  figure,
];
const result = (outs: CellOutput[], failure: NotebookRunResult['failure'] = null): NotebookRunResult => ({ outputs: outs, computed: 1, cached: 0, backend: 'cpu', failure, cacheProblems: [] });

describe('run records', () => {
  it('keeps outputs with their cells and marks them outdated when a cell above changes', () => {
    let s = initialEditor(doc);
    const record = recordRun(EMPTY_RECORD, s.keys, cellSignatures(s.doc), result(outputs), { ms: 10, inProject: true }, 4);
    expect(record.summary).toMatchObject({ cells: 5, computed: 1, cached: 0, backend: 'cpu', inProject: true });
    const stateOf = (i: number) => cellState(s.keys[i], cellSignatures(s.doc)[i], record, null);
    expect(stateOf(4)).toMatchObject({ kind: 'done', outdated: false });
    // Markdown changes nothing a step depends on; a new markdown cell shifts indices only.
    s = editNotebook(s, { type: 'insert', index: 0, cell: { kind: 'markdown', text: 'note' } });
    expect(stateOf(5)).toMatchObject({ kind: 'done', outdated: false, output: { of: 'lens' } });
    expect(reportOutputs(s.doc, s.keys, record)?.map((o) => [o.kind, o.index])).toEqual([
      ['markdown', 0],
      ['markdown', 1],
      ['model', 2],
      ['prompts', 3],
      ['analysis', 4],
      ['figure', 5],
    ]);
    // A param of the step makes the step and its figure outdated, not the cells above.
    s = editNotebook(s, { type: 'replace', index: 4, cell: { kind: 'analysis', id: 'lens', method: 'logit-lens', params: { topK: 3 } } });
    expect([stateOf(3), stateOf(4), stateOf(5)].map((st) => st.kind === 'done' && st.outdated)).toEqual([false, true, true]);
    expect(reportOutputs(s.doc, s.keys, record)).toBeNull();
    // Markdown is drawn from its current text: never outdated.
    expect(stateOf(1)).toMatchObject({ kind: 'done', outdated: false });
  });

  it('shows running and queued cells from the live progress, and a failure on its cell', () => {
    const s = initialEditor(doc);
    const sig = cellSignatures(doc);
    const live = { keys: s.keys, done: 3, stage: 'cell 4 (analysis "lens") · 40%' };
    expect(cellState(s.keys[3], sig[3], EMPTY_RECORD, live)).toEqual({ kind: 'running', stage: live.stage });
    expect(cellState(s.keys[4], sig[4], EMPTY_RECORD, live)).toEqual({ kind: 'queued' });
    expect(cellState(s.keys[0], sig[0], EMPTY_RECORD, live)).toEqual({ kind: 'none' });
    const failed = recordRun(EMPTY_RECORD, s.keys, sig, result(outputs.slice(0, 3), { index: 3, cell: 'cell 4 (analysis "lens")', message: 'cell 4 (analysis "lens") failed: boom' }), { ms: 1, inProject: false }, 4);
    expect(cellState(s.keys[3], sig[3], failed, null)).toEqual({ kind: 'failed', message: 'cell 4 (analysis "lens") failed: boom' });
    expect(cellState(s.keys[4], sig[4], failed, null)).toEqual({ kind: 'none' });
    expect(reportOutputs(doc, s.keys, failed)).toBeNull();
  });

  it('replaces the outputs of the cells a partial run covered and keeps the others', () => {
    const s = initialEditor(doc);
    const sig = cellSignatures(doc);
    const all = recordRun(EMPTY_RECORD, s.keys, sig, result(outputs), { ms: 1, inProject: false }, 4);
    const partial = recordRun(all, s.keys, sig, result(outputs.slice(0, 4).map((o) => (o.kind === 'analysis' ? { ...o, cached: true } : o))), { ms: 1, inProject: false }, 3);
    expect(partial.results.get(s.keys[3])?.output).toMatchObject({ cached: true });
    expect(partial.results.get(s.keys[4])?.output).toBe(figure);
  });
});

describe('figures and exports', () => {
  it('draws the notebook’s Plotly figure in the app’s style at the notebook’s size', () => {
    const spec = figureSpec(figure);
    expect(spec.data).toBe(figure.figure.data);
    expect(spec.layout).toMatchObject({ width: 1100, height: 420, title: { text: 'Lens &lt;s&gt;' }, paper_bgcolor: '#ffffff' });
    expect(spec.layout.font?.family).not.toBe('Helvetica');
    expect(figureTitle(figure)).toBe('Lens <s>');
  });

  it('exports the figure’s numbers and the step’s result with its params', () => {
    const exp = figureExports('My notebook', figure, outputs[3] as Extract<CellOutput, { kind: 'analysis' }>, { topK: 5 });
    expect(exp.name).toBe('My-notebook-5-lens-top1');
    expect(exp.table()).toBe(figure.table);
    expect(exp.json()).toMatchObject({ method: 'logit-lens', params: { topK: 5 }, result: { layers: ['L0'] }, view: 'top1' });
  });

  it('builds the report with the figure data embedded, and the notebook as JSON', async () => {
    const html = await notebookReport({ doc, outputs, backend: 'cpu', plotlyJs: '/* plotly */', generatedAt: '2025-01-01' });
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<script type="application/json" id="probescope-figures">{"figure-5":{"data":[{"type":"heatmap"');
    expect(html).toContain('/* plotly */');
    expect(JSON.parse(notebookJson(doc))).toEqual(doc);
    expect(notebookFileName('Logit lens: a story?', '.html')).toBe('Logit-lens_-a-story_.html');
  });
});
