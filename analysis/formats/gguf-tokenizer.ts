/**
 * The tokenizer stored in a GGUF file (`tokenizer.ggml.*`), tokenizing exactly as llama.cpp's
 * llama-vocab.cpp does (`llama_tokenize` with parse_special = false): `llama` (SentencePiece-style
 * merges by score), `gpt2` (byte-level BPE by merge rank, after the `tokenizer.ggml.pre`
 * pre-tokenizer of gguf-pretokenize.ts) and `bert` (WordPiece). User-defined tokens are split out
 * of the text first, as llama.cpp does; control tokens in the text are plain text.
 * Same interface as the tokenizer.json tokenizer (tokenizer.ts).
 */
import { ModelFormatError } from './errors.ts';
import { formatValue, type GgufFile, type GgufValue } from './gguf.ts';
import { preTokenizer, supportedPreTokenizers } from './gguf-pretokenize.ts';
import { readableUtf8, type EncodeOptions, type DecodeOptions, type Tokenizer } from './tokenizer.ts';

/** tokenizer.ggml.token_type values (llama.cpp LLAMA_TOKEN_TYPE_*). */
const enum TokenType {
  Normal = 1,
  Unknown = 2,
  Control = 3,
  UserDefined = 4,
  Unused = 5,
  Byte = 6,
}

const SPACE = '\u2581';

/** GPT-2's byte ↔ printable character table (unicode.cpp unicode_byte_to_utf8_map). */
const BYTE_TO_CHAR: readonly string[] = (() => {
  const chars: string[] = new Array(256);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    chars[b] = String.fromCodePoint(printable ? b : 256 + n++);
  }
  return chars;
})();
const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

interface Vocab {
  readonly tokens: readonly string[];
  readonly scores: readonly number[] | null;
  readonly types: readonly number[];
  readonly ids: ReadonlyMap<string, number>;
}

type Fragment = { readonly text: string } | { readonly token: number };

class Symbols {
  /** Symbol texts (emptied when merged into the left neighbour), and the chain links. */
  readonly text: string[] = [];
  readonly prev: number[] = [];
  readonly next: number[] = [];

  constructor(pieces: readonly string[]) {
    pieces.forEach((p, i) => {
      this.text.push(p);
      this.prev.push(i - 1);
      this.next.push(i === pieces.length - 1 ? -1 : i + 1);
    });
  }

  merge(left: number, right: number): void {
    this.text[left] += this.text[right];
    this.text[right] = '';
    this.next[left] = this.next[right];
    if (this.next[right] >= 0) this.prev[this.next[right]] = left;
  }
}

/** A binary max-heap by `before(a, b)` = a comes out first. */
class Heap<T> {
  private readonly items: T[] = [];
  constructor(private readonly before: (a: T, b: T) => boolean) {}
  get size(): number {
    return this.items.length;
  }
  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop(): T {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.before(a[l], a[m])) m = l;
        if (r < a.length && this.before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

/** llm_tokenizer_spm_session: merge the adjacent pair whose token scores highest (ties: leftmost). */
function tokenizeSpm(vocab: Vocab, text: string, out: number[]): void {
  const sym = new Symbols(Array.from(text));
  interface Bigram { left: number; right: number; score: number; size: number }
  const queue = new Heap<Bigram>((a, b) => a.score > b.score || (a.score === b.score && a.left < b.left));
  const tryAdd = (left: number, right: number): void => {
    if (left === -1 || right === -1) return;
    const joined = sym.text[left] + sym.text[right];
    const id = vocab.ids.get(joined);
    if (id === undefined) return;
    queue.push({ left, right, score: vocab.scores?.[id] ?? 0, size: joined.length });
  };
  for (let i = 1; i < sym.text.length; i++) tryAdd(i - 1, i);
  while (queue.size > 0) {
    const b = queue.pop();
    const l = sym.text[b.left];
    const r = sym.text[b.right];
    if (l.length === 0 || r.length === 0 || l.length + r.length !== b.size) continue;
    sym.merge(b.left, b.right);
    tryAdd(sym.prev[b.left], b.left);
    tryAdd(b.left, sym.next[b.left]);
  }
  // Every merge creates a vocabulary token, so a final symbol is a token or one unmerged
  // character; llama.cpp's resegment then writes that character as byte tokens.
  for (let i = 0; i !== -1 && i < sym.text.length; i = sym.next[i]) {
    const t = sym.text[i];
    const id = vocab.ids.get(t);
    if (id !== undefined) {
      out.push(id);
      continue;
    }
    for (const byte of new TextEncoder().encode(t)) {
      const name = `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`;
      const byteId = vocab.ids.get(name);
      if (byteId === undefined) throw new Error(`SPM tokenizer: the vocabulary has no byte token ${name} for "${t}"`);
      out.push(byteId);
    }
  }
}

/** llm_tokenizer_bpe_session: per pre-tokenized word, byte-level symbols merged by rank. */
function tokenizeBpe(vocab: Vocab, ranks: ReadonlyMap<string, number>, words: readonly string[], out: number[]): void {
  const encoder = new TextEncoder();
  interface Bigram { left: number; right: number; text: string; rank: number }
  for (const word of words) {
    const encoded = Array.from(encoder.encode(word), (b) => BYTE_TO_CHAR[b]);
    const sym = new Symbols(encoded);
    const queue = new Heap<Bigram>((a, b) => a.rank < b.rank || (a.rank === b.rank && a.left < b.left));
    const add = (left: number, right: number): void => {
      if (left === -1 || right === -1) return;
      const rank = ranks.get(`${sym.text[left]} ${sym.text[right]}`);
      if (rank === undefined) return;
      queue.push({ left, right, text: sym.text[left] + sym.text[right], rank });
    };
    for (let i = 1; i < encoded.length; i++) add(i - 1, i);
    while (queue.size > 0) {
      const b = queue.pop();
      const l = sym.text[b.left];
      const r = sym.text[b.right];
      if (l.length === 0 || r.length === 0 || l + r !== b.text) continue;
      sym.merge(b.left, b.right);
      add(sym.prev[b.left], b.left);
      add(b.left, sym.next[b.left]);
    }
    for (let i = 0; i !== -1 && i < sym.text.length; i = sym.next[i]) {
      const t = sym.text[i];
      if (t.length === 0) continue;
      const id = vocab.ids.get(t);
      if (id !== undefined) out.push(id);
      else for (const c of t) { const byteId = vocab.ids.get(c); if (byteId !== undefined) out.push(byteId); }
    }
  }
}

const CHINESE = (cp: number): boolean =>
  (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df) ||
  (cp >= 0x2a700 && cp <= 0x2b73f) || (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b920 && cp <= 0x2ceaf) ||
  (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);

/** llm_tokenizer_wpm_session: lowercased, accent-stripped words, greedy longest match with "▁" prefix. */
function tokenizeWpm(vocab: Vocab, unk: number, text: string, out: number[]): void {
  const words: string[] = [''];
  for (const c of text) {
    const cp = c.codePointAt(0)!;
    const base = c.normalize('NFD').codePointAt(0)!; // llama.cpp keeps the first code point of the NFD form
    const s = String.fromCodePoint(base);
    if (/\p{White_Space}/u.test(s)) {
      if (words.at(-1)!.length > 0) words.push('');
      continue;
    }
    if (base === 0 || base === 0xfffd || /\p{Cc}/u.test(s)) continue;
    const low = s.toLowerCase();
    const lowered = [...low].length === 1 ? low : s;
    if (/\p{P}/u.test(s) || (base < 0x7f && /\p{S}/u.test(s)) || CHINESE(cp)) {
      if (words.at(-1)!.length > 0) words.push('');
      words[words.length - 1] = lowered;
      words.push('');
    } else {
      words[words.length - 1] += lowered;
    }
  }
  const maxLen = vocab.tokens.reduce((m, t) => Math.max(m, t.length), 0);
  for (const word of words) {
    if (word.length === 0) continue;
    const w = SPACE + word;
    const before = out.length;
    for (let i = 0; i < w.length; i++) {
      let match = false;
      for (let j = Math.min(w.length, i + maxLen + 1); j > i; j--) {
        const id = vocab.ids.get(w.slice(i, j));
        if (id !== undefined) {
          out.push(id);
          match = true;
          i = j - 1;
          break;
        }
      }
      if (!match) {
        out.length = before;
        break;
      }
    }
    if (out.length === before) out.push(unk);
  }
}

function strings(file: GgufFile, key: string, required: boolean): string[] | null {
  const v: GgufValue | undefined = file.value(key);
  if (v === undefined && !required) return null;
  if (typeof v !== 'object' || !v.values.every((x) => typeof x === 'string')) {
    throw new ModelFormatError(`${file.where}: metadata "${key}" must be an array of strings, got ${formatValue(v)}`);
  }
  return v.values as string[];
}

function numbers(file: GgufFile, key: string, length: number): number[] | null {
  const v = file.value(key);
  if (v === undefined) return null;
  if (typeof v !== 'object' || v.values.length !== length || !v.values.every((x) => typeof x === 'number')) {
    throw new ModelFormatError(`${file.where}: metadata "${key}" must be an array of ${length} numbers, got ${formatValue(v)}`);
  }
  return v.values as number[];
}

function tokenId(file: GgufFile, key: string, size: number): number | null {
  const v = file.value(key);
  if (v === undefined) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= size) {
    throw new ModelFormatError(`${file.where}: metadata "${key}" must be a token id below ${size}, got ${formatValue(v)}`);
  }
  return v;
}

class GgufTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly bosTokenId: number | null;
  readonly defaultPrependBos: boolean;
  private readonly userDefined: readonly number[];

  constructor(
    private readonly model: 'llama' | 'gpt2' | 'bert',
    private readonly vocab: Vocab,
    private readonly ranks: ReadonlyMap<string, number>,
    private readonly pre: ((text: string) => string[]) | null,
    private readonly addSpacePrefix: boolean,
    private readonly unk: number,
    bos: number | null,
    addBos: boolean,
  ) {
    this.vocabSize = vocab.tokens.length;
    this.bosTokenId = bos;
    this.defaultPrependBos = addBos && bos !== null;
    // llama.cpp's special-token cache, longest text first; only user-defined ones are split out
    // when special tokens are not parsed.
    this.userDefined = vocab.types
      .map((t, id) => [t, id] as const)
      .filter(([t]) => t === TokenType.UserDefined)
      .map(([, id]) => id)
      .sort((a, b) => vocab.tokens[b].length - vocab.tokens[a].length);
  }

  private partition(text: string): Fragment[] {
    let fragments: Fragment[] = [{ text }];
    for (const id of this.userDefined) {
      const needle = this.vocab.tokens[id];
      if (needle.length === 0) continue;
      const next: Fragment[] = [];
      for (const f of fragments) {
        if (!('text' in f)) {
          next.push(f);
          continue;
        }
        let from = 0;
        for (let at = f.text.indexOf(needle); at !== -1; at = f.text.indexOf(needle, from)) {
          if (at > from) next.push({ text: f.text.slice(from, at) });
          next.push({ token: id });
          from = at + needle.length;
        }
        if (from < f.text.length) next.push({ text: f.text.slice(from) });
      }
      fragments = next;
    }
    return fragments;
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const out: number[] = [];
    if (options.prependBos ?? this.defaultPrependBos) {
      if (this.bosTokenId === null) throw new Error('encode: prependBos requested, but this tokenizer has no BOS token');
      out.push(this.bosTokenId);
    }
    let prevSpecial = true;
    // llama.cpp tokenizes nothing for an empty text (no space prefix either).
    for (const f of text.length === 0 ? [] : this.partition(text)) {
      if ('token' in f) {
        out.push(f.token);
        prevSpecial = true;
        continue;
      }
      if (this.model === 'llama') {
        const prefixed = this.addSpacePrefix && prevSpecial ? ` ${f.text}` : f.text;
        tokenizeSpm(this.vocab, prefixed.replaceAll(' ', SPACE), out);
      } else if (this.model === 'gpt2') {
        tokenizeBpe(this.vocab, this.ranks, this.pre!(f.text), out);
      } else {
        tokenizeWpm(this.vocab, this.unk, f.text, out);
      }
      prevSpecial = false;
    }
    return out;
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const skip = options.skipSpecialTokens ?? true;
    const bytes: number[] = [];
    const encoder = new TextEncoder();
    for (const id of ids) {
      this.checkId(id);
      const type = this.vocab.types[id];
      if (skip && (type === TokenType.Control || type === TokenType.Unknown)) continue;
      bytes.push(...this.pieceBytes(id, encoder));
    }
    let text = new TextDecoder().decode(Uint8Array.from(bytes));
    if (this.model === 'llama' && this.addSpacePrefix && text.startsWith(' ')) text = text.slice(1);
    return text;
  }

  private pieceBytes(id: number, encoder: TextEncoder): number[] {
    const piece = this.vocab.tokens[id];
    const type = this.vocab.types[id];
    if (type === TokenType.Byte) {
      const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(piece);
      if (m !== null) return [parseInt(m[1], 16)];
    }
    if (type === TokenType.Control || type === TokenType.UserDefined || type === TokenType.Unknown) return [...encoder.encode(piece)];
    if (this.model === 'gpt2') return Array.from(piece, (c) => CHAR_TO_BYTE.get(c) ?? 0x3f);
    if (this.model === 'bert') return [...encoder.encode(piece.replaceAll(SPACE, ' '))];
    return [...encoder.encode(piece.replaceAll(SPACE, ' '))];
  }

  tokenString(id: number): string {
    this.checkId(id);
    const type = this.vocab.types[id];
    if (type === TokenType.Control || type === TokenType.UserDefined || type === TokenType.Unknown) return this.vocab.tokens[id];
    return readableUtf8(Uint8Array.from(this.pieceBytes(id, new TextEncoder())));
  }

  private checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new RangeError(`token id ${id} is outside the vocabulary (0 … ${this.vocabSize - 1})`);
    }
  }
}

/** The tokenizer of a GGUF file, or null when it has none (`tokenizer.ggml.model` absent or "none"). */
export function ggufTokenizer(file: GgufFile): Tokenizer | null {
  const model = file.value('tokenizer.ggml.model');
  if (model === undefined || model === 'none') return null;
  if (model !== 'llama' && model !== 'gpt2' && model !== 'bert') {
    throw new ModelFormatError(`${file.where}: tokenizer.ggml.model ${formatValue(model)} is not supported (supported: llama, gpt2, bert)`);
  }
  const tokens = strings(file, 'tokenizer.ggml.tokens', true)!;
  const scores = numbers(file, 'tokenizer.ggml.scores', tokens.length);
  const types = numbers(file, 'tokenizer.ggml.token_type', tokens.length) ?? tokens.map(() => TokenType.Normal);
  const ids = new Map<string, number>();
  tokens.forEach((t, i) => {
    if (!ids.has(t)) ids.set(t, i);
  });
  const vocab: Vocab = { tokens, scores, types, ids };
  const ranks = new Map<string, number>();
  let pre: ((text: string) => string[]) | null = null;
  if (model === 'gpt2') {
    const merges = strings(file, 'tokenizer.ggml.merges', true)!;
    merges.forEach((m, i) => {
      if (!ranks.has(m)) ranks.set(m, i);
    });
    const preName = file.value('tokenizer.ggml.pre') ?? 'default';
    if (typeof preName !== 'string') throw new ModelFormatError(`${file.where}: tokenizer.ggml.pre must be a string, got ${formatValue(preName)}`);
    pre = preTokenizer(preName) ?? null;
    if (pre === null) {
      throw new ModelFormatError(`${file.where}: tokenizer.ggml.pre "${preName}" is not supported (supported: ${supportedPreTokenizers()})`);
    }
  }
  const size = tokens.length;
  const bos = tokenId(file, 'tokenizer.ggml.bos_token_id', size);
  const unk = tokenId(file, 'tokenizer.ggml.unknown_token_id', size) ?? ids.get('[UNK]') ?? 0;
  const addBosValue = file.value('tokenizer.ggml.add_bos_token');
  // llama.cpp's defaults when the key is absent: SentencePiece and WordPiece add BOS, BPE does not.
  const addBos = typeof addBosValue === 'boolean' ? addBosValue : model !== 'gpt2';
  const spaceValue = file.value('tokenizer.ggml.add_space_prefix');
  const addSpacePrefix = typeof spaceValue === 'boolean' ? spaceValue : model === 'llama';
  return new GgufTokenizer(model, vocab, ranks, pre, addSpacePrefix, unk, bos, addBos);
}
