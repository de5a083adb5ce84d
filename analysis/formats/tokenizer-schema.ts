/**
 * Checks a parsed tokenizer.json before @huggingface/tokenizers sees it. The library trusts its
 * input: a `model.vocab` of `[]` or `"x"` builds a tokenizer of three tokens, ids of -1, 1.5,
 * "3", null or 2^53 are taken as they are, an added token with id 1e9 costs time (and memory)
 * in proportion to the id, and a normalizer or pre-tokenizer regex is compiled by RegExp, which
 * can backtrack for minutes. Each of those is refused here with a message naming the field.
 */
import { ModelFormatError } from './errors.ts';
import { catastrophicBacktracking } from './regex-safety.ts';

const FILE = 'tokenizer.json';

/**
 * Token ids must be below this. The largest vocabularies in use are a few hundred thousand
 * tokens; 2^24 leaves room and keeps the work the library does per id (it walks up to the
 * largest) under a second.
 */
export const MAX_TOKEN_ID = 2 ** 24;

/** The vocabulary layouts of the library's models: token → id, or Unigram's [piece, score] list. */
const ID_MAP_MODELS = new Set(['BPE', 'WordPiece', 'WordLevel']);

/** Nesting deeper than this is no tokenizer.json (real ones are a few levels deep). */
const MAX_DEPTH = 64;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(field: string, what: string): never {
  throw new ModelFormatError(`${FILE}: ${field} ${what}`);
}

function describe(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function checkId(id: unknown, field: string): void {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= MAX_TOKEN_ID) {
    fail(field, `must be an integer token id in [0, ${MAX_TOKEN_ID}), got ${describe(id)}`);
  }
}

function checkModel(model: unknown): void {
  if (!isObject(model)) fail('"model"', 'must be an object');
  const type = model.type ?? 'BPE';
  if (typeof type !== 'string') fail('"model.type"', `must be a string, got ${describe(type)}`);
  // Any other type is refused by the library itself, naming it.
  if (!ID_MAP_MODELS.has(type) && type !== 'Unigram') return;
  const vocab = model.vocab;
  if (type === 'Unigram') {
    if (!Array.isArray(vocab) || vocab.length === 0) fail('"model.vocab"', `of a Unigram model must be a non-empty array of [piece, score], got ${describe(vocab)}`);
    if (vocab.length > MAX_TOKEN_ID) fail('"model.vocab"', `has ${vocab.length} entries, more than ${MAX_TOKEN_ID}`);
    vocab.forEach((entry: unknown, i) => {
      if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string' || typeof entry[1] !== 'number' || !Number.isFinite(entry[1])) {
        fail(`"model.vocab[${i}]"`, `must be [piece, finite score], got ${describe(entry)}`);
      }
    });
    return;
  }
  if (!isObject(vocab) || Object.keys(vocab).length === 0) fail('"model.vocab"', `of a ${type} model must be a non-empty object of token → id, got ${describe(vocab)}`);
  for (const [token, id] of Object.entries(vocab)) checkId(id, `"model.vocab[${JSON.stringify(token)}]"`);
}

function checkAddedTokens(added: unknown): void {
  if (added === undefined || added === null) return;
  if (!Array.isArray(added)) fail('"added_tokens"', `must be an array, got ${describe(added)}`);
  added.forEach((token: unknown, i) => {
    if (!isObject(token)) fail(`"added_tokens[${i}]"`, `must be an object, got ${describe(token)}`);
    checkId(token.id, `"added_tokens[${i}].id"`);
    if (typeof token.content !== 'string' || token.content.length === 0) fail(`"added_tokens[${i}].content"`, `must be a non-empty string, got ${describe(token.content)}`);
  });
}

/**
 * Every `{"Regex": …}` pattern outside the vocabulary (normalizers, pre-tokenizers, decoders,
 * possibly in Sequences) must not backtrack catastrophically. (The library translates the
 * Oniguruma syntax of tokenizer.json to RegExp and reports patterns that do not compile.)
 */
function checkRegexes(json: Record<string, unknown>): void {
  const pending: { value: unknown; path: string; depth: number }[] = Object.entries(json)
    .filter(([key]) => key !== 'model' && key !== 'added_tokens')
    .map(([key, value]) => ({ value, path: key, depth: 1 }));
  while (pending.length > 0) {
    const { value, path, depth } = pending.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_DEPTH) fail(`"${path}"`, `is nested more than ${MAX_DEPTH} levels deep`);
    if (isObject(value) && Object.hasOwn(value, 'Regex')) {
      const pattern = value.Regex;
      if (typeof pattern !== 'string') fail(`"${path}.Regex"`, `must be a string, got ${describe(pattern)}`);
      const danger = catastrophicBacktracking(pattern);
      if (danger !== null) fail(`"${path}.Regex"`, `${describe(pattern)} is refused: ${danger}`);
    }
    for (const [key, child] of Object.entries(value)) pending.push({ value: child, path: `${path}.${key}`, depth: depth + 1 });
  }
}

/** Throws a ModelFormatError naming the first field of `json` that the tokenizer cannot trust. */
export function checkTokenizerJson(json: Record<string, unknown>): void {
  checkModel(json.model);
  checkAddedTokens(json.added_tokens);
  checkRegexes(json);
}
