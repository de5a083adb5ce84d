/** Notebooks name a .gguf file as their model: identity is the file's SHA-256, loading goes through the GGUF loader. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import { nodeModelHost } from './model-host.ts';

const DIR = new URL('../../test/fixtures/gguf/stories260K/', import.meta.url).pathname;
const reference = JSON.parse(readFileSync(`${DIR}reference.json`, 'utf8')) as { files: Record<string, { sha256: string }> };

describe('notebook model host: a .gguf reference', () => {
  it("identifies the file by the SHA-256 llama.cpp's fixture records and opens it", async () => {
    const host = nodeModelHost(createCpuBackend(), DIR);
    expect(await host.identify('q4_0.gguf')).toBe(`sha256:${reference.files.q4_0.sha256}`);
    const model = await host.open('q4_0.gguf', new AbortController().signal);
    expect(model.spec.modelType).toBe('llama');
    expect(model.tokenizer?.encode('Lily', { prependBos: true })[0]).toBe(1);
  });
});
