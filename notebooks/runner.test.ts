import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Model } from '../analysis/model/model.ts';
import { randomModel } from '../test/random-models.ts';
import { MemoryCache } from './cache.ts';
import type { ModelHost, RunEvent } from './runner.ts';
import { NotebookCancelledError, NotebookCellError, runNotebook } from './runner.ts';
import type { NotebookInput } from './schema.ts';
import { defineMethod } from '../analysis/registry/define.ts';
import { promptIds } from '../analysis/registry/common.ts';
import { methodRegistry } from '../analysis/registry/registry.ts';
import { validateNotebook } from './validate.ts';

/** Stand-in steps that count their calls: "count" sums a prompt's ids, "fail" throws. */
function fakeSteps() {
  const calls: string[] = [];
  const count = defineMethod({
    method: 'count',
    title: 'count',
    description: 'sum of the prompt ids × factor',
    version: 1,
    params: z.strictObject({ prompt: z.number().int().default(0), factor: z.number().default(1) }),
    input: 'prompts',
    promptRefs: (p) => [{ field: 'prompt', ref: p.prompt }],
    views: { total: 'series' },
    defaultFigure: { view: 'total', type: 'bar' },
    async run(model, p, ctx) {
      calls.push(`count:${p.factor}`);
      return { total: promptIds(model, ctx, p.prompt, 'prompt').reduce((a, b) => a + b, 0) * p.factor };
    },
    view: (r) => ({ kind: 'series', title: 'total', x: { title: 'x', labels: ['total'] }, yTitle: 'y', traces: [{ name: 't', values: [r.total] }] }),
  });
  const fail = defineMethod({
    method: 'fail',
    title: 'fail',
    description: 'always throws',
    version: 1,
    params: z.strictObject({}),
    input: 'none',
    views: {},
    defaultFigure: { view: 'none', type: 'table' },
    async run(): Promise<{ never: null }> {
      calls.push('fail');
      throw new Error('params.layer: layer 9 is outside [0, 2)');
    },
    view: () => ({ kind: 'table', title: '', columns: [], rows: [] }),
  });
  return { registry: methodRegistry([count, fail]), calls };
}

function host(model: Model) {
  const log = { identify: 0, open: 0 };
  const models: ModelHost = {
    identify: async (ref) => (log.identify++, `id:${ref}`),
    open: async () => (log.open++, model),
  };
  return { models, log };
}

function notebook(factor2 = 2, extra: NotebookInput['cells'] = []): NotebookInput {
  return {
    format: 'probescope.notebook',
    version: 2,
    title: 'fake',
    cells: [
      { kind: 'markdown', text: 'intro' },
      { kind: 'model', id: 'm', ref: 'builtin:fake' },
      { kind: 'prompts', id: 'p', prompts: [{ ids: [1, 2, 3] }, { ids: [10] }] },
      { kind: 'analysis', id: 'a', method: 'count', params: {} },
      { kind: 'analysis', id: 'b', method: 'count', params: { factor: factor2 } },
      { kind: 'figure', id: 'fb', of: 'b', type: 'bar' },
      ...extra,
    ],
  };
}

describe('notebook runner', () => {
  const model = randomModel('llama');

  it('runs cells in order with start/done events, and figures from the results', async () => {
    const { registry, calls } = fakeSteps();
    const events: RunEvent[] = [];
    const run = await runNotebook(validateNotebook(notebook(), registry), { models: host(model).models, cache: new MemoryCache(), backend: 'cpu', onEvent: (e) => events.push(e) });
    expect(calls).toEqual(['count:1', 'count:2']);
    expect(events.map((e) => `${e.type}:${e.index}`)).toEqual([0, 1, 2, 3, 4, 5].flatMap((i) => [`cell-start:${i}`, `cell-done:${i}`]));
    expect(run.outputs.map((o) => o.kind)).toEqual(['markdown', 'model', 'prompts', 'analysis', 'analysis', 'figure']);
    expect(run.outputs[3]).toMatchObject({ kind: 'analysis', id: 'a', cached: false, result: { total: 6 } });
    expect(run.outputs[4]).toMatchObject({ result: { total: 12 } });
    const fig = run.outputs[5];
    expect(fig.kind === 'figure' && fig.figure.data[0]).toMatchObject({ type: 'bar', y: [12] });
    expect(run.outputs[0]).toEqual({ kind: 'markdown', index: 0, html: '<p>intro</p>' });
  });

  it('recomputes nothing on a second run, without even opening the model', async () => {
    const { registry, calls } = fakeSteps();
    const cache = new MemoryCache();
    const plan = validateNotebook(notebook(), registry);
    await runNotebook(plan, { models: host(model).models, cache, backend: 'cpu' });
    expect(calls).toHaveLength(2);
    const second = host(model);
    const events: RunEvent[] = [];
    const again = await runNotebook(plan, { models: second.models, cache, backend: 'cpu', onEvent: (e) => events.push(e) });
    expect(calls).toHaveLength(2);
    expect(second.log.open).toBe(0);
    expect([again.computed, again.cached]).toEqual([0, 2]);
    expect(events.filter((e) => e.type === 'cell-done' && e.cached).map((e) => e.index)).toEqual([3, 4]);
    expect(again.outputs[4]).toMatchObject({ cached: true, result: { total: 12 } });
  });

  it('recomputes exactly the cells whose params, input, model or backend changed', async () => {
    const { registry, calls } = fakeSteps();
    const cache = new MemoryCache();
    const go = (nb: NotebookInput, backend = 'cpu', models = host(model).models) => runNotebook(validateNotebook(nb, registry), { models, cache, backend });
    await go(notebook());
    calls.length = 0;
    await go(notebook(3)); // only b's params changed
    expect(calls).toEqual(['count:3']);
    calls.length = 0;
    const otherPrompts = notebook(3);
    otherPrompts.cells[2] = { kind: 'prompts', id: 'p', prompts: [{ ids: [1, 2, 4] }, { ids: [10] }] };
    await go(otherPrompts); // upstream input changed: both steps
    expect(calls).toEqual(['count:1', 'count:3']);
    calls.length = 0;
    // Adding an explicit default does not change the validated params, so nothing reruns.
    const explicit = notebook(3);
    explicit.cells[3] = { kind: 'analysis', id: 'a', method: 'count', params: { prompt: 0, factor: 1 } };
    await go(explicit);
    expect(calls).toEqual([]);
    await go(notebook(3), 'webgpu');
    expect(calls).toEqual(['count:1', 'count:3']);
    calls.length = 0;
    const otherModel: ModelHost = { identify: async () => 'id:changed-weights', open: async () => model };
    await go(notebook(3), 'cpu', otherModel);
    expect(calls).toEqual(['count:1', 'count:3']);
  });

  it('stops at the first failing cell with an error naming it; later cells do not run', async () => {
    const { registry, calls } = fakeSteps();
    const nb = notebook(2);
    nb.cells.splice(4, 0, { kind: 'analysis', id: 'boom', method: 'fail', params: {} });
    const events: RunEvent[] = [];
    const error = await runNotebook(validateNotebook(nb, registry), { models: host(model).models, cache: new MemoryCache(), backend: 'cpu', onEvent: (e) => events.push(e) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotebookCellError);
    expect((error as NotebookCellError).message).toBe('cell 5 (analysis "boom") failed: params.layer: layer 9 is outside [0, 2)');
    expect((error as NotebookCellError).index).toBe(4);
    expect(calls).toEqual(['count:1', 'fail']);
    expect(events.at(-1)).toMatchObject({ type: 'cell-start', index: 4 });
  });

  it('cancels between cells when the signal aborts', async () => {
    const { registry, calls } = fakeSteps();
    const abort = new AbortController();
    const run = runNotebook(validateNotebook(notebook(), registry), {
      models: host(model).models,
      cache: new MemoryCache(),
      backend: 'cpu',
      signal: abort.signal,
      onEvent: (e) => e.type === 'cell-done' && e.index === 3 && abort.abort(),
    });
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotebookCancelledError);
    expect((error as Error).name).toBe('AbortError');
    expect(calls).toEqual(['count:1']);
  });

  it('a cancel during a step surfaces as cancellation, and nothing after it runs', async () => {
    const { registry, calls } = fakeSteps();
    const abort = new AbortController();
    const slow = defineMethod({
      method: 'slow',
      title: 'slow',
      description: 'aborts its own run, as a user pressing cancel mid-step would',
      version: 1,
      params: z.strictObject({}),
      input: 'none',
      views: {},
      defaultFigure: { view: 'none', type: 'table' },
      async run(_model, _p, ctx): Promise<{ done: boolean }> {
        abort.abort();
        if (ctx.signal.aborted) throw new Error('stage 2 of 3 interrupted');
        return { done: true };
      },
      view: () => ({ kind: 'table', title: '', columns: [], rows: [] }),
    });
    const nb = notebook();
    nb.cells.splice(3, 0, { kind: 'analysis', id: 'slow', method: 'slow', params: {} });
    const error = await runNotebook(validateNotebook(nb, methodRegistry([...registry.values(), slow])), {
      models: host(model).models,
      cache: new MemoryCache(),
      backend: 'cpu',
      signal: abort.signal,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotebookCancelledError);
    expect((error as Error).message).toBe('notebook run cancelled before cell 4 finished');
    expect(calls).toEqual([]);
  });

  it('runs only up to a chosen cell', async () => {
    const { registry, calls } = fakeSteps();
    const run = await runNotebook(validateNotebook(notebook(), registry), { models: host(model).models, cache: new MemoryCache(), backend: 'cpu', until: 'a' });
    expect(calls).toEqual(['count:1']);
    expect(run.outputs).toHaveLength(4);
    await expect(runNotebook(validateNotebook(notebook(), registry), { models: host(model).models, cache: new MemoryCache(), backend: 'cpu', until: 'zz' })).rejects.toThrow('no cell "zz" to run until');
  });
});
