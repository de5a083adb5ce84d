import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createTokenizer } from '../formats/tokenizer.ts';
import { resolveTokenInput, resolveTokenValue } from './token-input.ts';

const folder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../models/stories260K');
const tokenizerJson = JSON.parse(readFileSync(path.join(folder, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } };
const hf = createTokenizer(tokenizerJson, JSON.parse(readFileSync(path.join(folder, 'tokenizer_config.json'), 'utf8')));
// Expected ids read straight from tokenizer.json's SentencePiece vocabulary ("▁" = a leading space).
const vocab = tokenizerJson.model.vocab;
const tokenizer = { vocabSize: hf.vocabSize, tokenizer: hf };

describe('resolveTokenInput', () => {
  it('takes an id, checked against the vocabulary', () => {
    expect(resolveTokenInput('378', tokenizer)).toMatchObject({ ok: true, id: 378, token: ' time', label: '·time (id 378)' });
    expect(resolveTokenInput('#1', tokenizer)).toMatchObject({ ok: true, id: vocab['<s>'], token: '<s>' });
    const far = resolveTokenInput('9999', tokenizer);
    expect(far).toEqual({ ok: false, message: 'token id 9999 is outside the vocabulary: ids run from 0 to 511' });
    expect(resolveTokenInput('-3', tokenizer)).toMatchObject({ ok: false, message: expect.stringContaining('negative') });
  });

  it('takes a quoted token string as the vocabulary entry with exactly that text', () => {
    // Encoding " time" gives two pieces on SentencePiece (a lone "▁", then "▁time"); the quoted form is the entry.
    expect(hf.encode(' time', { prependBos: false })).toHaveLength(2);
    expect(resolveTokenInput('" time"', tokenizer)).toMatchObject({ ok: true, id: vocab['▁time'] });
    expect(resolveTokenInput("' Lily'", tokenizer)).toMatchObject({ ok: true, id: vocab['▁Lily'] });
    expect(resolveTokenInput('"</s>"', tokenizer)).toMatchObject({ ok: true, id: vocab['</s>'] });
    // The vocabulary's "," piece, not the byte-fallback token <0x2C> with the same text.
    expect(vocab['<0x2C>']).toBeLessThan(vocab[',']);
    expect(resolveTokenInput('","', tokenizer)).toMatchObject({ ok: true, id: vocab[','] });
    expect(resolveTokenInput('" Lily Tim"', tokenizer)).toMatchObject({ ok: false, message: expect.stringMatching(/not a token of this vocabulary.*3 tokens/) });
    expect(resolveTokenInput('"\\x"', tokenizer)).toMatchObject({ ok: false, message: expect.stringContaining('not a valid quoted string') });
  });

  it('takes text that is exactly one token, and refuses longer text with its pieces', () => {
    expect(resolveTokenInput('Tim', tokenizer)).toMatchObject({ ok: true, id: vocab['▁Tim'], token: ' Tim' });
    expect(resolveTokenInput('<s>', tokenizer)).toMatchObject({ ok: true, id: vocab['<s>'] });
    const two = resolveTokenInput('Lily Tim', tokenizer);
    expect(two.ok).toBe(false);
    expect(!two.ok && two.message).toBe(`“Lily Tim” is 2 tokens: ·Lily (${vocab['▁Lily']}) ·Tim (${vocab['▁Tim']}), not one token: give a single token, an id, or a quoted token string like " time"`);
    expect(resolveTokenInput('   ', tokenizer)).toMatchObject({ ok: false, message: expect.stringContaining('no token given') });
  });

  it('accepts only ids when the model has no tokenizer', () => {
    expect(resolveTokenInput('7', { vocabSize: 10, tokenizer: null })).toEqual({ ok: true, id: 7, token: '', label: 'id 7' });
    expect(resolveTokenInput('time', { vocabSize: 10, tokenizer: null })).toMatchObject({ ok: false, message: expect.stringContaining('no tokenizer.json') });
    expect(resolveTokenInput('10', { vocabSize: 10, tokenizer: null })).toMatchObject({ ok: false });
  });

  it('resolves tokens given as data: numbers are ids, strings are token strings', () => {
    expect(resolveTokenValue(vocab['▁time'], tokenizer)).toMatchObject({ ok: true, token: ' time' });
    expect(resolveTokenValue(' time', tokenizer)).toMatchObject({ ok: true, id: vocab['▁time'] });
    expect(resolveTokenValue(1.5, tokenizer)).toMatchObject({ ok: false });
    expect(resolveTokenValue(512, tokenizer)).toMatchObject({ ok: false, message: expect.stringContaining('0 to 511') });
  });
});
