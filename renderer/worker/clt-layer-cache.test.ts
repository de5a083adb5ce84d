/**
 * The worker keeps the layers of the cross-layer transcoder its method runs spliced: counted
 * through the folder's files (every read of a picked folder is a Blob.slice), a second run of the
 * same CLT on the same model reads no file and gives the identical result, the attribution graph
 * reuses them too; one CLT is kept (running another reads that one, then the first again), and
 * loading a model releases them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { gaussian } from '../../analysis/model/random.ts';
import { cltFolderFiles } from '../../test/clt-files.ts';
import { jobContext, storiesHandlers } from '../../test/stories-worker.ts';
import type { JobHandlers } from './runner.ts';
import { EngineSession } from './session.ts';

const D_SAE = 16;
const PROMPT = [1, 403, 407, 261, 378, 429];
let h: JobHandlers;
/** Blob.slice calls per file since the last `taken()`. */
let reads: string[] = [];
const taken = () => {
  const out = reads;
  reads = [];
  return out;
};

/** A file of a picked folder whose reads are recorded. */
class CountingBlob extends Blob {
  constructor(
    private readonly name: string,
    bytes: Uint8Array | string,
  ) {
    super([typeof bytes === 'string' ? bytes : new Uint8Array(bytes)]);
  }
  override slice(start?: number, end?: number, type?: string): Blob {
    reads.push(this.name);
    return super.slice(start, end, type);
  }
}

/** Opens a random JumpReLU CLT for stories260K (5 layers, d_model 64) through the worker's folder input. */
async function openClt(label: string, seed: number): Promise<string> {
  const normal = gaussian(seed);
  const draw = (n: number, s: number) => Float32Array.from({ length: n }, () => s * normal());
  const files = await cltFolderFiles({ spec: { nLayers: 5, dModel: 64 } }, D_SAE, async () => ({ wEnc: draw(D_SAE * 64, 0.125), bEnc: draw(D_SAE, 0.1), bDec: draw(64, 0.1), threshold: draw(D_SAE, 0.1).map(Math.abs) }), async () => draw(D_SAE * 64, 0.3));
  const card = await h.openDictionary({ source: { kind: 'files', label, files: Object.entries(files).map(([name, bytes]) => ({ path: name, file: new CountingBlob(name, bytes) })) } }, jobContext());
  taken();
  return card.ref;
}

const runModel = async (ref: string) =>
  (await h.method({ method: 'run-model', params: { prompt: 0, topK: 10, dictionaries: [ref], dictionarySplice: 'without-error' }, prompts: [{ ids: PROMPT }] }, jobContext())).result;

beforeAll(async () => {
  h = await storiesHandlers(new EngineSession());
});

describe("the worker keeps a cross-layer transcoder's layers between method runs", () => {
  it('a second run reads no file and gives the identical result; another CLT replaces it; a model load releases it', async () => {
    const first = await openClt('first-clt', 11);
    const once = await runModel(first);
    const read = taken();
    for (let i = 0; i < 5; i++) expect(read).toContain(`W_dec_${i}.safetensors`);
    expect(await runModel(first)).toEqual(once);
    expect(taken()).toEqual([]);
    // The attribution graph takes the kept layers as its transcoders.
    await h.method({ method: 'attribution-graph', params: { prompt: 0, batchSize: 64, transcoders: first }, prompts: [{ ids: PROMPT }] }, jobContext());
    expect(taken()).toEqual([]);

    // One CLT is kept: another is read, and the first is read again after it.
    const second = await openClt('second-clt', 23);
    expect(await runModel(second)).not.toEqual(once);
    expect(taken()).toContain('W_dec_0.safetensors');
    expect(await runModel(first)).toEqual(once);
    expect(taken()).toContain('W_dec_0.safetensors');
    await runModel(first);
    expect(taken()).toEqual([]);

    // Loading a model (the same one again) releases the kept layers: the next run reads them.
    await storiesReload();
    expect(await runModel(first)).toEqual(once);
    expect(taken()).toContain('W_dec_0.safetensors');
  });
});

/** Loads stories260K again through the same handlers (as the page's model picker does). */
async function storiesReload(): Promise<void> {
  const folder = path.resolve(import.meta.dirname, '../../models/stories260K');
  const files = readdirSync(folder).map((name) => ({ path: name, file: new Blob([readFileSync(path.join(folder, name))]) }));
  await h.loadModel({ source: { kind: 'files', label: 'stories260K', files }, backend: 'cpu' }, jobContext());
}
