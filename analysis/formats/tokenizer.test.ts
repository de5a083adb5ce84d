import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createTokenizer, readableUtf8, type Tokenizer } from './tokenizer.ts';

const FIXTURES = new URL('../../test/fixtures/', import.meta.url);

function json(path: string): unknown {
  return JSON.parse(readFileSync(new URL(path, FIXTURES), 'utf8'));
}

interface CaseFile {
  readonly tokenizer: string;
  readonly cases: ReadonlyArray<{ text: string; ids: number[]; decoded: string }>;
}

const gpt2 = createTokenizer(json('tokenizers/gpt2-tokenizer.json'), json('gpt2-tiny/tokenizer_config.json'));
const llama2 = createTokenizer(json('tokenizers/llama2-tokenizer.json'), json('tokenizers/llama2-tokenizer_config.json'));
const stories = createTokenizer(json('stories260K-hf/tokenizer.json'), json('stories260K-hf/tokenizer_config.json'));

const CASE_FILES: ReadonlyArray<[string, Tokenizer, string]> = [
  ['gpt2_cases.json', gpt2, 'gpt2-tokenizer.json'],
  ['gpt2_extra_cases.json', gpt2, 'gpt2-tokenizer.json'],
  ['llama-spm_cases.json', llama2, 'llama2-tokenizer.json'],
  ['llama2_extra_cases.json', llama2, 'llama2-tokenizer.json'],
  ['stories260K_cases.json', stories, '../stories260K-hf/tokenizer.json'],
];

describe.each(CASE_FILES)('%s', (file, tokenizer, tokenizerFile) => {
  const caseFile = json(`tokenizers/${file}`) as CaseFile;

  it('is meant for this tokenizer', () => {
    expect(caseFile.tokenizer).toBe(tokenizerFile);
  });

  it(`encodes every case to exactly the stored ids (${caseFile.cases.length} cases)`, () => {
    const wrong = caseFile.cases
      .map((c) => ({ text: c.text, expected: c.ids, got: tokenizer.encode(c.text, { prependBos: false }) }))
      .filter((r) => JSON.stringify(r.got) !== JSON.stringify(r.expected));
    expect(wrong).toEqual([]);
  });

  it('decodes every case to exactly the stored text', () => {
    const wrong = caseFile.cases
      .map((c) => ({ ids: c.ids, expected: c.decoded, got: tokenizer.decode(c.ids) }))
      .filter((r) => r.got !== r.expected);
    expect(wrong).toEqual([]);
  });
});

describe('BOS', () => {
  it('stories260K prepends BOS by default: "Once upon a time" → [1, 403, 407, 261, 378]', () => {
    expect(stories.defaultPrependBos).toBe(true);
    expect(stories.bosTokenId).toBe(1);
    expect(stories.encode('Once upon a time', { prependBos: true })).toEqual([1, 403, 407, 261, 378]);
    expect(stories.encode('Once upon a time')).toEqual([1, 403, 407, 261, 378]);
    expect(stories.encode('Once upon a time', { prependBos: false })).toEqual([403, 407, 261, 378]);
  });

  it('Llama 2 prepends BOS by default', () => {
    expect(llama2.defaultPrependBos).toBe(true);
    expect(llama2.encode('Hello')[0]).toBe(1);
  });

  it('GPT-2 does not prepend by default, but can on request (<|endoftext|>)', () => {
    expect(gpt2.defaultPrependBos).toBe(false);
    expect(gpt2.encode('Hello world')).toEqual([15496, 995]);
    expect(gpt2.encode('Hello world', { prependBos: true })).toEqual([50256, 15496, 995]);
  });

  it('without tokenizer_config, follows the post_processor template', () => {
    const llamaNoConfig = createTokenizer(json('tokenizers/llama2-tokenizer.json'));
    expect(llamaNoConfig.defaultPrependBos).toBe(true);
    expect(llamaNoConfig.bosTokenId).toBe(1);
    const gpt2NoConfig = createTokenizer(json('tokenizers/gpt2-tokenizer.json'));
    expect(gpt2NoConfig.defaultPrependBos).toBe(false);
    expect(gpt2NoConfig.bosTokenId).toBeNull();
    expect(() => gpt2NoConfig.encode('x', { prependBos: true })).toThrow('this tokenizer has no BOS token');
  });

  it('add_bos_token in tokenizer_config overrides the template', () => {
    const config = { ...(json('stories260K-hf/tokenizer_config.json') as object), add_bos_token: false };
    expect(createTokenizer(json('stories260K-hf/tokenizer.json'), config).defaultPrependBos).toBe(false);
  });

  it('decode skips BOS unless asked to keep it', () => {
    expect(stories.decode([1, 403, 407])).toBe('Once upon');
    expect(stories.decode([1, 403, 407], { skipSpecialTokens: false })).toBe('<s> Once upon');
  });
});

describe('tokenString and sizes', () => {
  it('vocab sizes', () => {
    expect(gpt2.vocabSize).toBe(50257);
    expect(llama2.vocabSize).toBe(32000);
    expect(stories.vocabSize).toBe(512);
  });

  it('GPT-2 pieces keep their leading space and decode bytes', () => {
    expect(gpt2.tokenString(995)).toBe(' world');
    expect(gpt2.tokenString(15496)).toBe('Hello');
    expect(gpt2.tokenString(198)).toBe('\n');
    expect(gpt2.tokenString(50256)).toBe('<|endoftext|>');
    // "Ä" is two bytes; the case file splits it into single-byte tokens 127 (0xC3) and 226 (0x84).
    expect(gpt2.tokenString(127)).toBe('<0xC3>');
    expect(gpt2.tokenString(226)).toBe('<0x84>');
    expect(gpt2.decode([127, 226])).toBe('Ä');
  });

  it('SentencePiece pieces: ▁ becomes a space, byte pieces are decoded when they are whole characters', () => {
    expect(stories.tokenString(378)).toBe(' time');
    expect(stories.tokenString(1)).toBe('<s>');
    expect(stories.tokenString(3 + 0x0a)).toBe('\n');
    expect(stories.tokenString(3 + 0x41)).toBe('A');
    expect(stories.tokenString(3 + 0xe2)).toBe('<0xE2>');
  });

  it('rejects ids outside the vocabulary', () => {
    expect(() => stories.tokenString(512)).toThrow('token id 512 is outside the vocabulary (0 … 511)');
    expect(() => stories.decode([3, -1])).toThrow('token id -1 is outside the vocabulary');
  });

  it('readableUtf8 escapes only the bytes that are not whole characters', () => {
    expect(readableUtf8(new TextEncoder().encode(' é€😀'))).toBe(' é€😀');
    expect(readableUtf8(new Uint8Array([0x20, 0xe2, 0x82]))).toBe(' <0xE2><0x82>');
    expect(readableUtf8(new Uint8Array([0xc3, 0x41]))).toBe('<0xC3>A');
  });
});

describe('bad tokenizer files', () => {
  it('rejects a tokenizer.json that is not an object', () => {
    expect(() => createTokenizer([1, 2])).toThrow('tokenizer.json: expected a JSON object');
  });

  it('rejects a tokenizer.json the library cannot build', () => {
    expect(() => createTokenizer({ model: { type: 'Nope' } })).toThrow(/^tokenizer.json: cannot build the tokenizer/);
  });
});
