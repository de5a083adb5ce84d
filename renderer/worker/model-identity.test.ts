/**
 * One model identity across hosts: the worker, opening a picked folder or .gguf file as Blobs
 * (FileListSource), puts on the model card the identity the CLI and notebooks compute from the
 * same files on disk (NodeFolderSource), so the app's notebook cache keys and project references
 * agree with the CLI's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { identityKey, modelIdentity } from '../../analysis/formats/model-identity.ts';
import { NodeFolderSource } from '../../analysis/formats/node-source.ts';
import { folderIdentity } from '../../notebooks/node/model-host.ts';
import { FileListSource } from '../model-sources/file-list-source.ts';
import { createHandlers } from './handlers.ts';
import { WorkerJobContext } from './job-context.ts';
import { EngineSession } from './session.ts';

const STORIES = new URL('../../test/fixtures/stories260K-hf/', import.meta.url).pathname;
const GGUF = new URL('../../test/fixtures/gguf/stories260K/', import.meta.url).pathname;

function blobs(folder: string, names: readonly string[]) {
  return names.map((path) => ({ path, file: new Blob([readFileSync(join(folder, path))]) }));
}

describe('model identity: the Blob-backed reader and the Node reader agree', () => {
  it('for a Hugging Face folder, directly and through the worker load job', async () => {
    const files = blobs(STORIES, readdirSync(STORIES));
    const node = await modelIdentity(new NodeFolderSource(STORIES));
    expect(await modelIdentity(new FileListSource('picked', files))).toEqual(node);

    const card = await createHandlers(new EngineSession()).loadModel(
      { source: { kind: 'files', label: 'some other name', files }, backend: 'cpu-ref' },
      new WorkerJobContext(() => undefined),
    );
    expect(card.identity).toEqual(node);
    expect(identityKey(card.identity)).toBe(await folderIdentity(STORIES));
  });

  it('for a picked .gguf file', async () => {
    const files = blobs(GGUF, ['q8_0.gguf']);
    const card = await createHandlers(new EngineSession()).loadModel(
      { source: { kind: 'files', label: 'q8_0.gguf', files }, backend: 'cpu-ref' },
      new WorkerJobContext(() => undefined),
    );
    expect(card.identity).toEqual(await modelIdentity(new FileListSource('x', files), 'q8_0.gguf'));
    expect(identityKey(card.identity)).toBe(await folderIdentity(join(GGUF, 'q8_0.gguf')));
  });
});
