/**
 * One token from what a person typed, the same way in the app's fields, the CLI's flags and
 * notebook params. Three forms are accepted:
 *
 * - an id: `378` (or `#378`), checked against the vocabulary;
 * - a token string in quotes: `" time"` (JSON escapes allowed, e.g. `"\n"`) or `' time'`: the
 *   vocabulary entry whose text (as `tokenString` shows it) is exactly that string;
 * - plain text: `time` or `Lily`, encoded without BOS; it must encode to exactly one token
 *   (SentencePiece adds its leading space: `time` → " time"). Failing that, a vocabulary
 *   entry spelled exactly like the text (`<s>`) is taken.
 *
 * Anything else is refused with a message that says what the input was and what to give
 * instead — never a silent first piece of a longer text.
 */
import { visibleToken } from '../formats/token-label.ts';

/** What the resolver needs of a tokenizer (a Model's tokenizer has it). */
export interface TokenEncoder {
  encode(text: string, options: { prependBos: boolean }): number[];
  tokenString(id: number): string;
}

/** The vocabulary to resolve in: its size, and its tokenizer (null: ids only, e.g. no tokenizer.json). */
export interface TokenInputVocabulary {
  readonly vocabSize: number;
  readonly tokenizer: TokenEncoder | null;
}

export interface ResolvedToken {
  readonly ok: true;
  readonly id: number;
  /** The token's text as `tokenString` gives it (spaces kept). */
  readonly token: string;
  /** For people: `·time (id 378)`. */
  readonly label: string;
}

export interface RefusedToken {
  readonly ok: false;
  readonly message: string;
}

export type TokenInputResult = ResolvedToken | RefusedToken;

const ID = /^#?(\d+)$/;
const NEGATIVE_ID = /^#?-\d+$/;

/**
 * Resolves `input` to one token of `vocab`, or says why it cannot (ids only for a model
 * without a tokenizer).
 */
export function resolveTokenInput(input: string, vocab: TokenInputVocabulary): TokenInputResult {
  const trimmed = input.trim();
  if (trimmed === '') return refuse('no token given: type an id (378), a quoted token string (" time") or one token of text');
  const id = ID.exec(trimmed);
  if (id) return resolveId(Number(id[1]), vocab);
  if (NEGATIVE_ID.test(trimmed)) return refuse(`token id ${trimmed} is negative: ids run from 0 to ${vocab.vocabSize - 1}`);
  const tokenizer = vocab.tokenizer;
  if (tokenizer === null) return refuse(`“${input}” is text, but this model has no tokenizer.json: give a token id (0 to ${vocab.vocabSize - 1})`);
  const quoted = unquote(trimmed);
  if (quoted !== null) {
    if (!quoted.ok) return quoted;
    return resolveTokenString(quoted.text, vocab, tokenizer);
  }
  return resolveText(input, vocab, tokenizer);
}

/**
 * A token given as data (notebook params, JSON): a number is an id, a string is a token string
 * as the token strip shows it (" he"), the same as the quoted form of `resolveTokenInput`.
 */
export function resolveTokenValue(value: number | string, vocab: TokenInputVocabulary): TokenInputResult {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0 ? resolveId(value, vocab) : refuse(`token id ${value} is not an id: ids run from 0 to ${vocab.vocabSize - 1}`);
  }
  if (vocab.tokenizer === null) return refuse(`${JSON.stringify(value)} is text, but this model has no tokenizer.json: give a token id (0 to ${vocab.vocabSize - 1})`);
  return resolveTokenString(value, vocab, vocab.tokenizer);
}

function refuse(message: string): RefusedToken {
  return { ok: false, message };
}

function resolved(id: number, vocab: TokenInputVocabulary): ResolvedToken {
  const token = vocab.tokenizer === null ? '' : vocab.tokenizer.tokenString(id);
  const label = vocab.tokenizer === null ? `id ${id}` : `${visibleToken(token)} (id ${id})`;
  return { ok: true, id, token, label };
}

function resolveId(id: number, vocab: TokenInputVocabulary): TokenInputResult {
  if (!Number.isSafeInteger(id) || id >= vocab.vocabSize) {
    return refuse(`token id ${id} is outside the vocabulary: ids run from 0 to ${vocab.vocabSize - 1}`);
  }
  return resolved(id, vocab);
}

/** `"…"` (JSON string) or `'…'` (taken literally); null when the input is not quoted. */
function unquote(trimmed: string): { ok: true; text: string } | RefusedToken | null {
  if (trimmed.length >= 2 && trimmed.startsWith("'") && trimmed.endsWith("'")) return { ok: true, text: trimmed.slice(1, -1) };
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
    try {
      return { ok: true, text: JSON.parse(trimmed) as string };
    } catch {
      return refuse(`${trimmed} is not a valid quoted string (write it as JSON, e.g. " time" or "\\n")`);
    }
  }
  return null;
}

function resolveTokenString(text: string, vocab: TokenInputVocabulary, tokenizer: TokenEncoder): TokenInputResult {
  // The tokenizer's own piece when it encodes to exactly this text, else the vocabulary entry
  // with that text (" time" on SentencePiece, where encoding adds another leading space).
  const ids = tokenizer.encode(text, { prependBos: false });
  if (ids.length === 1 && tokenizer.tokenString(ids[0]) === text) return resolved(ids[0], vocab);
  const id = vocabularyIndex(vocab.vocabSize, tokenizer).get(text);
  if (id !== undefined) return resolved(id, vocab);
  if (ids.length === 1) return resolved(ids[0], vocab);
  return refuse(`“${visibleToken(text)}” is not a token of this vocabulary; as text it is ${describePieces(ids, tokenizer)}: give exactly one token`);
}

function resolveText(text: string, vocab: TokenInputVocabulary, tokenizer: TokenEncoder): TokenInputResult {
  const ids = tokenizer.encode(text, { prependBos: false });
  if (ids.length === 1) return resolved(ids[0], vocab);
  const exact = vocabularyIndex(vocab.vocabSize, tokenizer).get(text);
  if (exact !== undefined) return resolved(exact, vocab);
  return refuse(`“${text}” is ${describePieces(ids, tokenizer)}, not one token: give a single token, an id, or a quoted token string like " time"`);
}

function describePieces(ids: readonly number[], tokenizer: TokenEncoder): string {
  if (ids.length === 0) return 'no tokens';
  const shown = ids.slice(0, 8).map((id) => `${visibleToken(tokenizer.tokenString(id))} (${id})`);
  return `${ids.length} tokens: ${shown.join(' ')}${ids.length > 8 ? ' …' : ''}`;
}

/**
 * Token string → id, built once per tokenizer. Where two entries show the same text, the later
 * one wins: a merged piece ("," = 432 on stories260K) over a byte-fallback token (<0x2C> = 47).
 */
const indexes = new WeakMap<TokenEncoder, Map<string, number>>();

function vocabularyIndex(vocabSize: number, tokenizer: TokenEncoder): Map<string, number> {
  let index = indexes.get(tokenizer);
  if (!index) {
    index = new Map();
    for (let id = 0; id < vocabSize; id++) {
      let text: string;
      try {
        text = tokenizer.tokenString(id);
      } catch {
        continue; // a hole in the vocabulary (ids without an entry)
      }
      index.set(text, id);
    }
    indexes.set(tokenizer, index);
  }
  return index;
}
