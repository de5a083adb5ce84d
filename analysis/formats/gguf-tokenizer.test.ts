import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from './errors.ts';
import { GgufFile, GgufValueType } from './gguf.ts';
import { ggufTokenizer } from './gguf-tokenizer.ts';
import { arr, encodeGguf, str } from './gguf-writer.ts';
import { MemorySource } from './memory-source.ts';
import { NodeFolderSource } from './node-source.ts';

const FIXTURES = new URL('../../test/fixtures/gguf/', import.meta.url);
const VOCAB = new URL('vocab/', FIXTURES).pathname;

/** llama.cpp's test-tokenizer-0 cases: strings split by this line, one expected id line per string. */
function cases(name: string): [string, number[]][] {
  const inputs = readFileSync(`${VOCAB}${name}.inp`, 'utf8').split('\n__ggml_vocab_test__\n');
  const outputs = readFileSync(`${VOCAB}${name}.out`, 'utf8').split('\n');
  return inputs.map((text, i) => [text, outputs[i].trim() === '' ? [] : outputs[i].trim().split(/\s+/).map(Number)]);
}

const vocabs = readdirSync(VOCAB).filter((f) => f.endsWith('.gguf'));

describe('GGUF tokenizers: llama.cpp test-tokenizer-0 vocabularies, exactly', () => {
  it('covers the ten fixture vocabularies', () => {
    expect(vocabs.length).toBe(10);
  });

  it.each(vocabs)('%s', async (name) => {
    const file = await GgufFile.open(new NodeFolderSource(VOCAB), name);
    const tokenizer = ggufTokenizer(file);
    expect(tokenizer).not.toBeNull();
    const list = cases(name);
    expect(list.length).toBe(47);
    for (const [text, expected] of list) {
      expect({ text, ids: tokenizer!.encode(text, { prependBos: false }) }).toEqual({ text, ids: expected });
    }
  });
});

describe('GGUF tokenizer: stories260K (SentencePiece with placeholder scores)', () => {
  const reference = JSON.parse(readFileSync(new URL('stories260K/reference.json', FIXTURES), 'utf8')) as {
    files: Record<string, { llama_tokenize_of_texts: number[][] }>;
    inputs: { text: string | null }[];
  };

  it('encodes the texts as llama_tokenize(add_special=true) did, BOS from add_bos_token', async () => {
    const file = await GgufFile.open(new NodeFolderSource(new URL('stories260K/', FIXTURES).pathname), 'q8_0.gguf');
    const tokenizer = ggufTokenizer(file)!;
    expect(tokenizer.defaultPrependBos).toBe(true);
    expect(tokenizer.bosTokenId).toBe(1);
    const texts = reference.inputs.map((i) => i.text).filter((t): t is string => t !== null);
    expect(texts.map((t) => tokenizer.encode(t))).toEqual(reference.files.q8_0.llama_tokenize_of_texts);
    expect(tokenizer.decode(tokenizer.encode(texts[1]))).toBe(texts[1]);
    expect(tokenizer.tokenString(3)).toBe('\0');
    expect(tokenizer.tokenString(1)).toBe('<s>');
  });

  it('GPT-2 byte-level decoding round-trips text and shows tokens readably', async () => {
    const tokenizer = ggufTokenizer(await GgufFile.open(new NodeFolderSource(VOCAB), 'ggml-vocab-gpt-2.gguf'))!;
    const text = 'Hello world, ünïcode 🦙!';
    expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
    expect(tokenizer.defaultPrependBos).toBe(false);
    expect(tokenizer.tokenString(tokenizer.encode(' world')[0])).toBe(' world');
  });

  it('refuses an unknown pre-tokenizer and model, naming the key', async () => {
    const base = { 'tokenizer.ggml.tokens': arr(GgufValueType.STRING, ['a', 'b']), 'tokenizer.ggml.merges': arr(GgufValueType.STRING, []) };
    const open = (extra: Record<string, ReturnType<typeof str>>) =>
      GgufFile.open(new MemorySource('mem:t', { 'v.gguf': encodeGguf({ ...base, ...extra }) }), 'v.gguf');
    const pre = await open({ 'tokenizer.ggml.model': str('gpt2'), 'tokenizer.ggml.pre': str('no-such-pre') });
    expect(() => ggufTokenizer(pre)).toThrow(ModelFormatError);
    expect(() => ggufTokenizer(pre)).toThrow(/tokenizer\.ggml\.pre "no-such-pre" is not supported \(supported: gpt-2, /);
    const model = await open({ 'tokenizer.ggml.model': str('rwkv') });
    expect(() => ggufTokenizer(model)).toThrow(/tokenizer\.ggml\.model "rwkv" is not supported \(supported: llama, gpt2, bert\)/);
  });
});
