/** Notebooks name a .gguf file as their model: its identity is the model identity of the file, loading goes through the GGUF loader. */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { identityKey, modelIdentity } from '../../analysis/formats/model-identity.ts';
import { NodeFolderSource } from '../../analysis/formats/node-source.ts';
import { nodeModelHost } from './model-host.ts';

const DIR = new URL('../../test/fixtures/gguf/stories260K/', import.meta.url).pathname;

describe('notebook model host: a .gguf reference', () => {
  it('identifies the file by its model identity (header and tensor ends) and opens it', async () => {
    const host = nodeModelHost(createCpuBackend(), DIR);
    const q4 = await host.identify('q4_0.gguf');
    expect(q4).toBe(identityKey(await modelIdentity(new NodeFolderSource(DIR), 'q4_0.gguf')));
    expect(q4).not.toBe(await host.identify('q8_0.gguf'));
    const model = await host.open('q4_0.gguf', new AbortController().signal);
    expect(model.spec.modelType).toBe('llama');
    expect(model.tokenizer?.encode('Lily', { prependBos: true })[0]).toBe(1);
  });
});
