/**
 * Issue #11: hostile and huge model folders end in one error line naming the file and field (or
 * load correctly), never in a native crash, a hang or a silently broken model.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, ftruncateSync, openSync, readFileSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testTempDir } from '../../test/temp-dir.ts';
import { loadTokenizerIfPresent } from '../model/load.ts';
import { readModelConfig } from './config.ts';
import { ModelFormatError } from './errors.ts';
import { MAX_JSON_FILE_BYTES } from './json-file.ts';
import { MemorySource } from './memory-source.ts';
import { MAX_READ_CHUNK, NodeFolderSource } from './node-source.ts';
import { frameRawHeader, frameSafetensors } from './safetensors-writer.ts';
import { SafetensorsCheckpoint } from './safetensors.ts';
import { createTokenizer } from './tokenizer.ts';
import { MAX_TOKEN_ID } from './tokenizer-schema.ts';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
/** The parts of stories260K's tokenizer.json these tests change. */
interface TokenizerJson {
  model: { vocab: unknown } & Record<string, unknown>;
  added_tokens: unknown[];
  normalizer: { normalizers: unknown[] };
  pre_tokenizer: unknown;
}
const storiesTokenizer = (): TokenizerJson & { model: { vocab: Record<string, unknown> } } =>
  JSON.parse(readFileSync(join(FIXTURES, 'stories260K-hf/tokenizer.json'), 'utf8'));

describe('finding 1: reads above 2 GiB are chunked', () => {
  it('a checkpoint with a 2.4 GB F32 tensor (sparse file) loads with the right values at every chunk boundary', async () => {
    const dir = testTempDir('probescope-huge-');
    const elements = 600_000_000; // 2.4 GB of F32, the embedding of a 2B model
    const header = frameSafetensors({ big: { dtype: 'F32', shape: [elements], data_offsets: [0, elements * 4] } }, new Uint8Array(0));
    const path = join(dir, 'model.safetensors');
    const fd = openSync(path, 'w');
    writeSync(fd, header, 0, header.length, 0);
    ftruncateSync(fd, header.length + elements * 4);
    // Marks around the 1 GiB read chunks and at the very end, so a misplaced chunk shows.
    const marks = [0, MAX_READ_CHUNK / 4 - 1, MAX_READ_CHUNK / 4, (2 * MAX_READ_CHUNK) / 4 + 1, elements - 1];
    for (const [i, at] of marks.entries()) writeSync(fd, new Uint8Array(new Float32Array([i + 1.5]).buffer), 0, 4, header.length + at * 4);
    closeSync(fd);

    const ckpt = await SafetensorsCheckpoint.open(new NodeFolderSource(dir));
    const big = await ckpt.read('big');
    expect(big.data.length).toBe(elements);
    expect(marks.map((at) => big.data[at])).toEqual([1.5, 2.5, 3.5, 4.5, 5.5]);
    expect(big.data[12345]).toBe(0);
  }, 60_000);
});

describe('finding 3: the tensors must tile the data section exactly', () => {
  // A header padded with 5 to 12 spaces, as the reference writer pads to a multiple of 8.
  const headerJson = JSON.stringify({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 12] }, b: { dtype: 'F32', shape: [2], data_offsets: [12, 20] } });
  const padded = headerJson + ' '.repeat(5 + ((8 - ((8 + headerJson.length + 5) % 8)) % 8));
  const good = frameRawHeader(new TextEncoder().encode(padded), new Uint8Array(new Float32Array([1, 2, 3, 4, 5]).buffer));

  it('the unmodified file loads', async () => {
    const ckpt = await SafetensorsCheckpoint.open(new MemorySource('mem', { 'model.safetensors': good }));
    expect([...(await ckpt.read('b')).data]).toEqual([4, 5]);
  });

  it.each([1, 2, 3, 4, 5])('a header length shortened by %i byte(s) into the space padding is refused', async (cut) => {
    const bytes = good.slice();
    const view = new DataView(bytes.buffer);
    const n = Number(view.getBigUint64(0, true));
    view.setBigUint64(0, BigInt(n - cut), true);
    // The header still parses (only padding was cut): the check must come from the layout.
    expect(new TextDecoder().decode(bytes.subarray(8 + n - cut, 8 + n)).trim()).toBe('');
    await expect(SafetensorsCheckpoint.open(new MemorySource('mem', { 'model.safetensors': bytes }))).rejects.toThrow(
      new ModelFormatError(
        `model.safetensors (mem): the tensors cover 20 bytes, but ${20 + cut} bytes follow the ${n - cut}-byte header: ` +
          'the header length is wrong (every tensor would be shifted) or the file has trailing bytes',
      ),
    );
  });

  it.each(['constructor', '__proto__', 'toString'])('dtype "%s" is an unknown dtype, not an Object.prototype member', async (dtype) => {
    const file = frameSafetensors({ a: { dtype, shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4));
    await expect(SafetensorsCheckpoint.open(new MemorySource('mem', { 'model.safetensors': file }))).rejects.toThrow(
      new ModelFormatError(`model.safetensors (mem): tensor "a" has unknown dtype "${dtype}" (supported: F32, F16, BF16)`),
    );
  });

  it('a gap between tensors is refused', async () => {
    const file = frameSafetensors({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, new Uint8Array(12));
    await expect(SafetensorsCheckpoint.open(new MemorySource('mem', { 'model.safetensors': file }))).rejects.toThrow(/tensor "b" \(data_offsets \[8, 12\]\) starts after a gap/);
  });
});

describe('finding 5: small files that used to hang', () => {
  it('a sharded index of 40,000 names is grouped in linear time', async () => {
    const names = Array.from({ length: 40_000 }, (_, i) => `t${i}`);
    const shard = frameSafetensors(Object.fromEntries(names.map((n) => [n, { dtype: 'F32', shape: [0], data_offsets: [0, 0] }])), new Uint8Array(0));
    const index = JSON.stringify({ weight_map: Object.fromEntries(names.map((n) => [n, 's.safetensors'])) });
    const ckpt = await SafetensorsCheckpoint.open(new MemorySource('mem', { 'model.safetensors.index.json': index, 's.safetensors': shard }));
    expect(ckpt.names().length).toBe(40_000);
  });

  it('an added token with id 1e9 is refused, naming the field', () => {
    const json = storiesTokenizer();
    json.added_tokens.push({ id: 1e9, content: '<huge>', special: true });
    expect(() => createTokenizer(json)).toThrow(
      new ModelFormatError(`tokenizer.json: "added_tokens[3].id" must be an integer token id in [0, ${MAX_TOKEN_ID}), got 1000000000`),
    );
  });

  it.each(['(a|aa)+$', '(a+)+$', '(\\w+\\s?)*$'])('a normalizer regex %s that backtracks catastrophically is refused', (pattern) => {
    const json = storiesTokenizer();
    json.normalizer.normalizers.push({ type: 'Replace', pattern: { Regex: pattern }, content: 'b' });
    expect(() => createTokenizer(json)).toThrow(/^tokenizer\.json: "normalizer\.normalizers\.2\.pattern\.Regex" ".*" is refused: the group .* repeats/);
  });

  it('the pre-tokenizer patterns of GPT-2 and Llama 2 are accepted', () => {
    for (const file of ['tokenizers/gpt2-tokenizer.json', 'tokenizers/llama2-tokenizer.json']) {
      expect(createTokenizer(JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'))).vocabSize).toBeGreaterThan(0);
    }
    const llama3Split = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    const json = storiesTokenizer();
    json.pre_tokenizer = { type: 'Split', pattern: { Regex: llama3Split }, behavior: 'Isolated', invert: false };
    expect(createTokenizer(json).vocabSize).toBe(512);
  });

  it('a 1.5 GB config.json (sparse) is refused by its size before it is read', async () => {
    const dir = testTempDir('probescope-json-');
    const fd = openSync(join(dir, 'config.json'), 'w');
    ftruncateSync(fd, 1_500_000_000);
    closeSync(fd);
    await expect(readModelConfig(new NodeFolderSource(dir, 'big'))).rejects.toThrow(
      new ModelFormatError(`big: config.json is 1500000000 bytes, more than the ${MAX_JSON_FILE_BYTES}-byte limit for a JSON file of a model folder`),
    );
  });
});

describe('finding 8: tokenizer.json schema', () => {
  it.each([[[]], [{}], ['x'], [null]])('model.vocab %j is refused', (vocab) => {
    const json = storiesTokenizer();
    (json.model as { vocab: unknown }).vocab = vocab;
    expect(() => createTokenizer(json)).toThrow(/^tokenizer\.json: "model\.vocab" of a BPE model must be a non-empty object of token → id/);
  });

  it.each([-1, 1.5, '3', null, 2 ** 53])('a vocab id of %j is refused, naming the token', (id) => {
    const json = storiesTokenizer();
    json.model.vocab['▁the'] = id;
    expect(() => createTokenizer(json)).toThrow(/^tokenizer\.json: "model\.vocab\["▁the"\]" must be an integer token id in \[0, 16777216\), got /);
  });

  it('a tokenizer.json that links to /dev/zero is refused, not ignored', async () => {
    const dir = testTempDir('probescope-link-');
    copyFileSync(join(FIXTURES, 'stories260K-hf/config.json'), join(dir, 'config.json'));
    symlinkSync('/dev/zero', join(dir, 'tokenizer.json'));
    await expect(loadTokenizerIfPresent(new NodeFolderSource(dir, 'linked'))).rejects.toThrow(
      new ModelFormatError('linked: tokenizer.json is a character device, not a regular file; refusing to read it'),
    );
  });

  it('a config.json that is a FIFO is refused without blocking', async () => {
    const dir = testTempDir('probescope-fifo-');
    execFileSync('mkfifo', [join(dir, 'config.json')]);
    await expect(readModelConfig(new NodeFolderSource(dir, 'fifo'))).rejects.toThrow(
      new ModelFormatError('fifo: config.json is a FIFO (named pipe), not a regular file; refusing to read it'),
    );
    // Even read() called directly (a file swapped after the check) does not block on it.
    await expect(new NodeFolderSource(dir, 'fifo').read('config.json', 0, 1)).rejects.toThrow(/is a FIFO/);
  });

  it('the fixture tokenizer still loads from its folder', async () => {
    const dir = testTempDir('probescope-ok-');
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(FIXTURES, 'stories260K-hf', f), join(dir, f));
    writeFileSync(join(dir, 'unrelated.txt'), 'x');
    expect((await loadTokenizerIfPresent(new NodeFolderSource(dir)))?.vocabSize).toBe(512);
  });
});
