/**
 * The notebook job on the built-in stories260K, in Node: it runs the logit-lens example with
 * progress counted in cells, serves a second run from the cache, runs one cell and what it
 * needs, reports a failing cell with the outputs above it, and stops when cancelled.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NotebookInput } from '../../notebooks/schema.ts';
import type { Progress } from './contracts.ts';
import { createHandlers } from './handlers.ts';
import { JobCancelledError, WorkerJobContext } from './job-context.ts';
import type { NotebookRunParams } from './notebook-contracts.ts';
import type { JobHandlers } from './runner.ts';
import { EngineSession } from './session.ts';

const root = path.resolve(import.meta.dirname, '../..');
const folder = path.join(root, 'models/stories260K');
const files = readdirSync(folder).map((name) => ({ path: name, file: new Blob([readFileSync(path.join(folder, name))]) }));
const example = JSON.parse(readFileSync(path.join(root, 'notebooks/examples/logit-lens.probescope-notebook.json'), 'utf8')) as NotebookInput;

let h: JobHandlers;
const context = (progress: Progress[] = []) => new WorkerJobContext((p) => progress.push(p));
const params = (notebook: NotebookInput, more: Partial<NotebookRunParams> = {}): NotebookRunParams => ({
  notebook,
  modelIdentity: 'test-identity',
  cache: { kind: 'session' },
  ...more,
});
/** The example with the lens step's params changed, so its cache key is new. */
const withLensParams = (extra: Record<string, unknown>): NotebookInput => ({
  ...example,
  cells: example.cells.map((c) => (c.kind === 'analysis' ? { ...c, params: { ...c.params, ...extra } } : c)),
});

beforeAll(async () => {
  h = createHandlers(new EngineSession());
  await h.loadModel({ source: { kind: 'files', label: 'builtin:stories260K', files }, backend: 'cpu' }, context());
});

describe('notebook job', () => {
  it('runs every cell with progress in cells, then serves the step from the cache', async () => {
    const progress: Progress[] = [];
    const first = await h.notebook(params(example), context(progress));
    expect(first.failure).toBeNull();
    expect(first.outputs.map((o) => o.kind)).toEqual(example.cells.map((c) => c.kind));
    expect([first.computed, first.cached, first.backend]).toEqual([1, 0, 'wasm']); // 'cpu' asks for the fast CPU backend
    expect(progress.every((p) => p.unit === 'cells' && p.total === example.cells.length)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ done: example.cells.length });
    const heatmap = first.outputs.find((o) => o.kind === 'figure');
    expect(heatmap?.kind === 'figure' && heatmap.figure.data[0].type).toBe('heatmap');

    const again = await h.notebook(params(example), context());
    expect([again.computed, again.cached]).toEqual([0, 1]);
    expect(again.outputs.find((o) => o.kind === 'analysis')).toMatchObject({ cached: true });
  });

  it('runs one cell and the cells above it', async () => {
    const result = await h.notebook(params(example, { upTo: 3 }), context());
    expect(result.outputs.map((o) => o.index)).toEqual([0, 1, 2, 3]);
    expect(result.cached).toBe(1);
  });

  it('reports a failing cell with the outputs of the cells above it', async () => {
    const result = await h.notebook(params(withLensParams({ targets: [' Timmy and'] })), context());
    expect(result.failure).toMatchObject({ index: 3, cell: 'cell 4 (analysis "lens")' });
    expect(result.failure?.message).toMatch(/cell 4 \(analysis "lens"\) failed: params\.targets\[0\]/);
    expect(result.outputs.map((o) => o.index)).toEqual([0, 1, 2]);
  });

  it('names the open model when the notebook asks for another one', async () => {
    const other = { ...example, cells: example.cells.map((c) => (c.kind === 'model' ? { ...c, ref: 'builtin:other' } : c)) };
    const result = await h.notebook(params(other), context());
    expect(result.failure?.index).toBe(1);
    expect(result.failure?.message).toContain('the open model is "builtin:stories260K"');
  });

  it('refuses an invalid notebook with the validator’s message', async () => {
    await expect(h.notebook(params(withLensParams({ topK: 500 })), context())).rejects.toThrow(/params\.topK: Too big/);
  });

  it('stops when cancelled', async () => {
    const ctx = context();
    const running = h.notebook(params(withLensParams({ topK: 7 })), ctx);
    ctx.cancel();
    await expect(running).rejects.toBeInstanceOf(JobCancelledError);
  });
});
