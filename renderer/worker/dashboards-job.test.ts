/**
 * The worker's `dashboards` job on stories260K and a built-in SAE: what it posts is the packed
 * header and chunks, every typed array moved (in the transfer list) and no feature's JSON; every
 * feature unpacked from it equals the "feature-dashboards" method's own JSON (the method job's
 * result, which the page used to receive whole).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChunkedDashboards } from '../../analysis/registry/dashboard-artifact.ts';
import { chunkBytes, chunkOf, unpackFeature } from '../../analysis/registry/dashboard-artifact.ts';
import type { DashboardsJson } from '../../analysis/registry/dictionaries.ts';
import { jobContext, storiesHandlers } from '../../test/stories-worker.ts';
import type { FromWorker } from './protocol.ts';
import type { JobHandlers } from './runner.ts';
import { JobRunner } from './runner.ts';

const PARAMS = { dictionary: 'builtin:stories260K-saes/blocks.1.hook_resid_post', samples: 3, length: 12, seed: 2, topContexts: 3 };
let handlers: JobHandlers;

beforeAll(async () => {
  handlers = await storiesHandlers();
});

/** Runs one job through the runner and returns what it posted for it. */
function post(): Promise<{ message: FromWorker; transfer: Transferable[] }> {
  return new Promise((resolve) => {
    const runner = new JobRunner(handlers, (message, transfer) => {
      if (message.type !== 'progress') resolve({ message, transfer });
    });
    runner.receive({ type: 'run', id: 1, kind: 'dashboards', params: { params: PARAMS } });
  });
}

/** Strings of a value's own: what postMessage would copy besides the transferred buffers. */
function stringBytes(value: unknown): number {
  if (typeof value === 'string') return 2 * value.length;
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return 0;
  return Object.values(value).reduce((n: number, v) => n + stringBytes(v), 0);
}

describe('dashboards job', () => {
  it('posts packed chunks with every typed array transferred; they unpack to the method\'s features', async () => {
    const { message, transfer } = await post();
    expect(message.type).toBe('result');
    const packed = (message as { result: ChunkedDashboards }).result;
    expect(packed.header).toMatchObject({ dictionary: PARAMS.dictionary, dSae: 256, chunks: 4 });
    expect(JSON.stringify(packed.header)).not.toContain('features');
    // Everything but the token strings and the header's few fields is moved, not copied.
    const moved = transfer.reduce((n: number, b) => n + (b as ArrayBuffer).byteLength, 0);
    const strings = packed.chunks.reduce((n, c) => n + stringBytes(c.tokens), 0);
    expect(moved).toBe(packed.chunks.reduce((n, c) => n + chunkBytes(c), 0) - strings);

    const own = (await handlers.method({ method: 'feature-dashboards', params: { ...PARAMS, feature: 0 }, prompts: null }, jobContext())).result as DashboardsJson;
    for (let f = 0; f < 256; f++) expect(unpackFeature(packed.chunks[chunkOf(packed.header, f)], f)).toEqual(own.features[f]);
  });
});
