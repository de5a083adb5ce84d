/**
 * The model identity: its digests equal SHA-256 computed here with node:crypto from the raw files
 * by the documented definition (an independent implementation, header parsed with JSON.parse);
 * each part changes when, and only when, its files change.
 */
import { createHash } from 'node:crypto';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testTempDir } from '../../test/temp-dir.ts';
import { MemorySource } from './memory-source.ts';
import { identityKey, MODEL_IDENTITY_SCHEME, modelIdentity, SAMPLE_BYTES } from './model-identity.ts';
import { NodeFolderSource } from './node-source.ts';
import { frameSafetensors } from './safetensors-writer.ts';

const STORIES = 'test/fixtures/stories260K-hf';
const FILES = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'];
const GGUF = 'test/fixtures/gguf/stories260K';

function storiesFiles(): Record<string, Uint8Array> {
  return Object.fromEntries(FILES.map((f) => [f, new Uint8Array(readFileSync(join(STORIES, f)))]));
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

/** The definition in model-identity.ts, written out again over whole files. */
function expectedWeights(file: string, bytes: Uint8Array): string {
  const headerLength = Number(Buffer.from(bytes).readBigUInt64LE(0));
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + headerLength)).toString('utf8')) as Record<string, { data_offsets?: [number, number] }>;
  const base = 8 + headerLength;
  const tensors = Object.entries(header)
    .filter(([name]) => name !== '__metadata__')
    .map(([, t]) => [base + t.data_offsets![0], base + t.data_offsets![1]] as const)
    .sort((a, b) => a[0] - b[0]);
  const hash = createHash('sha256').update(`${MODEL_IDENTITY_SCHEME}\n${file}\n`).update(u64(bytes.length)).update(u64(headerLength));
  hash.update(bytes.subarray(8, base));
  for (const [start, end] of tensors) {
    if (end - start <= 2 * SAMPLE_BYTES) hash.update(bytes.subarray(start, end));
    else hash.update(bytes.subarray(start, start + SAMPLE_BYTES)).update(bytes.subarray(end - SAMPLE_BYTES, end));
  }
  return hash.digest('hex');
}

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

describe('modelIdentity of a Hugging Face folder', () => {
  it('equals SHA-256 of config.json, of the framed tokenizer files and of the headers plus tensor ends', async () => {
    const files = storiesFiles();
    const id = await modelIdentity(new NodeFolderSource(STORIES));
    expect(id.scheme).toBe('probescope-model-v2');
    expect(id.config).toBe(sha(files['config.json']));
    const tok = createHash('sha256');
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) tok.update(`${f}\n`).update(u64(files[f].length)).update(files[f]);
    expect(id.tokenizer).toBe(tok.digest('hex'));
    expect(id.weights).toBe(expectedWeights('model.safetensors', files['model.safetensors']));
    expect(id.weightBytes).toBe(files['model.safetensors'].length);
  });

  it('does not depend on the folder name or its other files', async () => {
    const copy = join(testTempDir('probescope-identity-'), 'renamed');
    cpSync(STORIES, copy, { recursive: true });
    const a = await modelIdentity(new NodeFolderSource(STORIES));
    expect(await modelIdentity(new NodeFolderSource(copy, 'another label'))).toEqual(a);
    expect(await modelIdentity(new MemorySource('memory', storiesFiles()))).toEqual(a);
  });

  it('changes the config digest alone when config.json changes', async () => {
    const base = await modelIdentity(new MemorySource('m', storiesFiles()));
    const files = storiesFiles();
    files['config.json'] = new TextEncoder().encode(`${new TextDecoder().decode(files['config.json'])} `);
    const changed = await modelIdentity(new MemorySource('m', files));
    expect(changed.config).not.toBe(base.config);
    expect({ ...changed, config: base.config }).toEqual(base);
  });

  it('changes the tokenizer digest alone when a tokenizer file changes, appears or goes', async () => {
    const base = await modelIdentity(new MemorySource('m', storiesFiles()));
    const files = storiesFiles();
    files['tokenizer_config.json'] = new TextEncoder().encode('{"add_bos_token": false}');
    const changed = await modelIdentity(new MemorySource('m', files));
    expect(changed.tokenizer).not.toBe(base.tokenizer);
    expect({ ...changed, tokenizer: base.tokenizer }).toEqual(base);
    const { ['tokenizer.json']: _t, ['tokenizer_config.json']: _c, ...none } = storiesFiles();
    expect((await modelIdentity(new MemorySource('m', none))).tokenizer).toBeNull();
  });

  it('changes the weights digest when a header changes, or the first or last bytes of any tensor', async () => {
    const base = await modelIdentity(new MemorySource('m', storiesFiles()));
    const header = storiesFiles();
    const text = Buffer.from(header['model.safetensors']);
    const at = text.indexOf('model.norm.weight');
    text.write('model.norm.weighx', at); // same length: still a valid checkpoint, one name differs
    header['model.safetensors'] = new Uint8Array(text);
    expect((await modelIdentity(new MemorySource('m', header))).weights).not.toBe(base.weights);

    const bytes = storiesFiles()['model.safetensors'];
    const headerLength = Number(Buffer.from(bytes).readBigUInt64LE(0));
    // The embedding is the first tensor: 512 × 64 f32, far longer than two samples.
    for (const offset of [0, 512 * 64 * 4 - 1]) {
      const files = storiesFiles();
      files['model.safetensors'][8 + headerLength + offset] ^= 1;
      const changed = await modelIdentity(new MemorySource('m', files));
      expect(changed.weights).not.toBe(base.weights);
      expect(changed.config).toBe(base.config);
    }
  });

  it('does not see an edit confined to the inside of a long tensor (the documented limit of the fingerprint)', async () => {
    const base = await modelIdentity(new MemorySource('m', storiesFiles()));
    const files = storiesFiles();
    const headerLength = Number(Buffer.from(files['model.safetensors']).readBigUInt64LE(0));
    files['model.safetensors'][8 + headerLength + 512 * 64 * 2] ^= 1;
    expect(await modelIdentity(new MemorySource('m', files))).toEqual(base);
  });

  it('hashes every shard of an index, and the index itself', async () => {
    const shard = (v: number) => frameSafetensors({ w: { dtype: 'U8', shape: [4], data_offsets: [0, 4] } }, Uint8Array.of(v, v, v, v));
    const index = (map: Record<string, string>) => JSON.stringify({ weight_map: map });
    const files = (bValue: number, map = { w: 'a.safetensors', v: 'b.safetensors' }) => ({
      'config.json': '{}',
      'model.safetensors.index.json': index(map),
      'a.safetensors': shard(1),
      'b.safetensors': shard(bValue),
    });
    const base = await modelIdentity(new MemorySource('m', files(2)));
    expect(base.weightBytes).toBe(2 * shard(1).length);
    expect((await modelIdentity(new MemorySource('m', files(3)))).weights).not.toBe(base.weights);
    expect((await modelIdentity(new MemorySource('m', files(2, { w: 'b.safetensors', v: 'a.safetensors' })))).weights).not.toBe(base.weights);
  });

  it('names the folder when config.json or the weights are missing', async () => {
    await expect(modelIdentity(new MemorySource('empty', { 'config.json': '{}' }))).rejects.toThrow(/empty: no model\.safetensors or model\.safetensors\.index\.json found/);
    await expect(modelIdentity(new NodeFolderSource(GGUF))).rejects.toThrow(/config\.json not found/);
  });

  it('reads a bounded amount: headers plus at most 2 × SAMPLE_BYTES per tensor', async () => {
    const source = new MemorySource('m', storiesFiles());
    await modelIdentity(source);
    const weightReads = source.reads.filter(([f]) => f === 'model.safetensors').reduce((n, [, s, e]) => n + e - s, 0);
    expect(weightReads).toBeLessThan(2 * 4856 + 8 * 2 + 48 * 2 * SAMPLE_BYTES);
    expect(weightReads).toBeLessThan(storiesFiles()['model.safetensors'].length / 2);
  });
});

describe('modelIdentity of a GGUF file', () => {
  it('hashes the header (metadata, tokenizer, tensor infos) and the tensor ends, not the whole file', async () => {
    const f32 = await modelIdentity(new NodeFolderSource(GGUF), 'f32.gguf');
    const q8 = await modelIdentity(new NodeFolderSource(GGUF), 'q8_0.gguf');
    expect(f32.tokenizer).toBeNull();
    expect(f32.weightBytes).toBe(readFileSync(join(GGUF, 'f32.gguf')).length);
    expect(q8.config).not.toBe(f32.config);
    expect(identityKey(q8)).not.toBe(identityKey(f32));

    const bytes = new Uint8Array(readFileSync(join(GGUF, 'f32.gguf')));
    const token = Buffer.from(bytes).indexOf('Lily'); // a vocabulary string in the metadata
    const metadataEdit = bytes.slice();
    metadataEdit[token] = 'M'.charCodeAt(0);
    const edited = await modelIdentity(new MemorySource('m', { 'f32.gguf': metadataEdit }), 'f32.gguf');
    expect(edited.config).not.toBe(f32.config);
    expect(edited.weights).toBe(f32.weights);

    const lastByte = bytes.slice();
    lastByte[lastByte.length - 1] ^= 1;
    const data = await modelIdentity(new MemorySource('m', { 'f32.gguf': lastByte }), 'f32.gguf');
    expect(data.weights).not.toBe(f32.weights);
    expect(data.config).toBe(f32.config);
  });
});

describe('identityKey', () => {
  it('joins every part, so identities that differ in any part give different keys', () => {
    const id = { scheme: MODEL_IDENTITY_SCHEME, config: 'c'.repeat(64), tokenizer: null, weights: 'w'.repeat(64), weightBytes: 10 } as const;
    expect(identityKey(id)).toBe(`probescope-model-v2:${'c'.repeat(64)}:-:${'w'.repeat(64)}:10`);
    expect(identityKey({ ...id, tokenizer: 't'.repeat(64) })).not.toBe(identityKey(id));
    expect(identityKey({ ...id, weightBytes: 11 })).not.toBe(identityKey(id));
  });
});
