/**
 * Dictionary folders opened from File/Blob objects (as a folder picked in the page reaches the
 * worker): every fixture dictionary opens equal to the same folder read from disk in Node; the
 * worker's method job runs on the opened folder and gives what the Node host gives; a folder
 * that does not fit the model, or lacks a tensor, is refused with an error naming it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDictionaries } from '../../analysis/dictionaries/open.ts';
import { openDictionarySet } from '../../analysis/dictionaries/open-set.ts';
import type { HostDictionary } from '../../analysis/dictionaries/dictionary.ts';
import { NodeFolderSource } from '../../analysis/formats/node-source.ts';
import { METHODS } from '../../analysis/registry/registry.ts';
import { saeFolder } from '../../test/dictionary-goldens.ts';
import { FileListSource } from '../model-sources/file-list-source.ts';
import type { FolderFile } from '../model-sources/file-list-source.ts';
import { createHandlers } from './handlers.ts';
import { WorkerJobContext } from './job-context.ts';
import { methodJob } from './jobs/method.ts';
import { openDictionaryJob } from './jobs/open-dictionary.ts';
import { EngineSession } from './session.ts';
import { folderDigest, UserDictionaries } from './user-dictionaries.ts';

const HOST = 'stories260K-hf';
const FOLDERS = ['standard-L2-resid_post', 'topk-L2-resid_post', 'jumprelu-L1-resid_post', 'jumprelu_transcoder-L1-mlp', 'circuit_tracer-L1-mlp'];
const model = path.resolve(import.meta.dirname, '../../models/stories260K');

function blobs(folder: string, skip: readonly string[] = []): FolderFile[] {
  return readdirSync(folder)
    .filter((name) => !skip.includes(name))
    .map((name) => ({ path: name, file: new Blob([readFileSync(path.join(folder, name))]) }));
}

const withoutLabel = (ds: HostDictionary[]) => ds.map((d) => ({ ...d, config: { ...d.config, label: '' } }));
const context = () => new WorkerJobContext(() => {});
const session = new EngineSession();

beforeAll(async () => {
  await createHandlers(session).loadModel({ source: { kind: 'files', label: 'stories260K', files: blobs(model) }, backend: 'cpu' }, context());
});

describe('dictionary folders opened from Blobs', () => {
  it.each(FOLDERS)('%s opens equal to the folder read in Node', async (folder) => {
    const fromBlobs = await openDictionarySet(new FileListSource(folder, blobs(saeFolder(HOST, folder))), [], 5);
    const fromDisk = await openDictionaries(new NodeFolderSource(saeFolder(HOST, folder)), { nLayers: 5 });
    expect(fromBlobs.length).toBe(1);
    expect(withoutLabel(fromBlobs)).toEqual(withoutLabel(fromDisk));
  });

  it("the worker's method job runs on an opened folder as the Node host does", async () => {
    const opened = new UserDictionaries();
    const folder = 'topk-L2-resid_post';
    const card = await openDictionaryJob(session, opened, { source: { kind: 'files', label: folder, files: blobs(saeFolder(HOST, folder)) } });
    expect(card.dictionaries).toEqual([{ label: folder, architecture: 'topk', hookIn: 'blocks.2.hook_resid_post', hookOut: 'blocks.2.hook_resid_post', dSae: 256 }]);
    expect(card.digest).toBe(await folderDigest(blobs(saeFolder(HOST, folder))));
    const prompt = [1, 403, 407, 261, 378, 429];
    const params = { dictionary: card.ref, prompt: 0, position: -1, top: 50 };
    const inWorker = (await methodJob(session, { method: 'feature-search', params, prompts: [{ ids: prompt }] }, context(), opened)).result;
    const inNode = await METHODS.get('feature-search')!.run(session.requireModel(), params, {
      signal: new AbortController().signal,
      onProgress: () => {},
      prompts: { cell: 'prompts', items: [{ ids: prompt }] },
      dataset: null,
      dictionaries: (ref) => (ref === card.ref ? openDictionaries(new NodeFolderSource(saeFolder(HOST, folder))) : Promise.reject(new Error(ref))),
    });
    expect(inWorker).toEqual(inNode);
    expect((inWorker as { features: unknown[] }).features.length).toBeGreaterThan(0);
  });

  it('an opened circuit-tracer transcoder set drives the attribution graph as the Node host does', async () => {
    const opened = new UserDictionaries();
    const folder = 'circuit_tracer-L1-mlp';
    const card = await openDictionaryJob(session, opened, { source: { kind: 'files', label: folder, files: blobs(saeFolder(HOST, folder)) } });
    expect(card.dictionaries.map((d) => [d.hookIn, d.hookOut])).toEqual([['blocks.1.ln2.hook_normalized', 'blocks.1.hook_mlp_out']]);
    const prompt = [1, 403, 407, 261];
    const params = { prompt: 0, transcoders: card.ref, batchSize: 64 };
    const inWorker = (await methodJob(session, { method: 'attribution-graph', params, prompts: [{ ids: prompt }] }, context(), opened)).result;
    const inNode = await METHODS.get('attribution-graph')!.run(session.requireModel(), params, {
      signal: new AbortController().signal,
      onProgress: () => {},
      prompts: { cell: 'prompts', items: [{ ids: prompt }] },
      dataset: null,
      dictionaries: () => openDictionaries(new NodeFolderSource(saeFolder(HOST, folder)), { nLayers: 5 }),
    });
    expect(inWorker).toEqual(inNode);
    expect((inWorker as { maxIdentityError: number }).maxIdentityError).toBeLessThan(1e-3);
  });

  it('refuses what does not fit the model or lacks a tensor, naming it', async () => {
    const opened = new UserDictionaries();
    const gemma = saeFolder('gemma3-tiny', 'standard-L2-resid_post');
    await expect(openDictionaryJob(session, opened, { source: { kind: 'files', label: 'gemma-sae', files: blobs(gemma) } })).rejects.toThrow(
      /gemma-sae: input width \d+ does not match blocks\.2\.hook_resid_post, which is 64 wide/,
    );
    const noWeights = blobs(saeFolder(HOST, 'standard-L2-resid_post'), ['sae_weights.safetensors']);
    await expect(openDictionaryJob(session, opened, { source: { kind: 'files', label: 'broken', files: noWeights } })).rejects.toThrow(/broken.*sae_weights\.safetensors/);
    const inWorker = methodJob(session, { method: 'feature-search', params: { dictionary: 'folder:9/none', prompt: 0 }, prompts: [{ ids: [1, 2] }] }, context(), opened);
    await expect(inWorker).rejects.toThrow(/params\.dictionary: folder:9\/none is not open in this session/);
  });
});
