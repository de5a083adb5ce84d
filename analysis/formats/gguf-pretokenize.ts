/**
 * llama.cpp's BPE pre-tokenizer (unicode.cpp `unicode_regex_split`): the text is split by a list
 * of regexes applied one after the other, each refining the pieces of the previous one (matches
 * and the text between them both become pieces). The GPT-2 and Llama-3 regexes run as llama.cpp's
 * hand-written splitters; the others as regexes, on the "collapsed" text when they use Unicode
 * categories (every non-ASCII code point replaced by one character standing for its category,
 * and \p{X} by that character plus its ASCII members), exactly as llama.cpp runs them.
 */

const LETTER = /\p{L}/u;
const NUMBER = /\p{N}/u;
const PUNCT = /\p{P}/u;
const WHITESPACE = /\p{White_Space}/u;

interface Flags {
  readonly letter: boolean;
  readonly number: boolean;
  readonly whitespace: boolean;
  /** A code point inside the piece (llama.cpp's `as_uint() != 0`); false past its ends. */
  readonly defined: boolean;
}

const NONE: Flags = { letter: false, number: false, whitespace: false, defined: false };
const flagCache = new Map<number, Flags>();

function flagsOf(cp: number): Flags {
  let f = flagCache.get(cp);
  if (f === undefined) {
    const ch = String.fromCodePoint(cp);
    f = { letter: LETTER.test(ch), number: NUMBER.test(ch), whitespace: WHITESPACE.test(ch), defined: true };
    flagCache.set(cp, f);
  }
  return f;
}

type Splitter = (cps: readonly number[], start: number, end: number, out: number[]) => void;

const APOSTROPHE = 0x27;
const lower = (cp: number): number => String.fromCodePoint(cp).toLowerCase().codePointAt(0) ?? cp;
const ch = (s: string): number => s.codePointAt(0)!;

/** Contraction at pos ('s 't 'm 'd, 're 've 'll): its length, or 0. */
function contraction(cps: readonly number[], pos: number, end: number, fold: boolean): number {
  if (cps[pos] !== APOSTROPHE || pos + 1 >= end) return 0;
  const c = (i: number) => (fold ? lower(cps[i]) : cps[i]);
  const n = c(pos + 1);
  if (n === ch('s') || n === ch('t') || n === ch('m') || n === ch('d')) return 2;
  if (pos + 2 < end) {
    const nn = c(pos + 2);
    if ((n === ch('r') && nn === ch('e')) || (n === ch('v') && nn === ch('e')) || (n === ch('l') && nn === ch('l'))) return 3;
  }
  return 0;
}

/** unicode_regex_split_custom_gpt2: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ */
const splitGpt2: Splitter = (cps, start, end, out) => {
  const flags = (p: number): Flags => (p >= start && p < end ? flagsOf(cps[p]) : NONE);
  const cpt = (p: number): number => (p >= start && p < end ? cps[p] : -1);
  let prev = start;
  const add = (e: number): number => {
    const len = e - prev;
    if (len > 0) out.push(len);
    prev = e;
    return len;
  };
  for (let pos = start; pos < end; ) {
    const c = cpt(pos);
    const f = flags(pos);
    const k = contraction(cps, pos, end, false);
    if (k > 0) {
      pos += add(pos + k);
      continue;
    }
    let f2 = c === 0x20 ? flags(pos + 1) : f;
    if (f2.letter) {
      pos += c === 0x20 ? 1 : 0;
      while (f2.letter) f2 = flags(++pos);
      add(pos);
      continue;
    }
    if (f2.number) {
      pos += c === 0x20 ? 1 : 0;
      while (f2.number) f2 = flags(++pos);
      add(pos);
      continue;
    }
    if (!(f2.whitespace || f2.letter || f2.number) && f2.defined) {
      pos += c === 0x20 ? 1 : 0;
      while (!(f2.whitespace || f2.letter || f2.number) && f2.defined) f2 = flags(++pos);
      add(pos);
      continue;
    }
    let ws = 0;
    while (flags(pos + ws).whitespace) ws++;
    if (ws > 1 && cpt(pos + ws) !== -1) {
      pos += ws - 1;
      add(pos);
      continue;
    }
    if (ws > 0) {
      pos += ws;
      add(pos);
      continue;
    }
    add(++pos);
  }
};

/** unicode_regex_split_custom_llama3 (Llama-3 and, with \p{N}{1}, not used here; Qwen2 differs only in \p{N}). */
function llama3Splitter(maxDigits: number): Splitter {
  return (cps, start, end, out) => {
    const flags = (p: number): Flags => (p >= start && p < end ? flagsOf(cps[p]) : NONE);
    const cpt = (p: number): number => (p >= start && p < end ? cps[p] : -1);
    let prev = start;
    const add = (e: number): number => {
      const len = e - prev;
      if (len > 0) out.push(len);
      prev = e;
      return len;
    };
    for (let pos = start; pos < end; ) {
      const c = cpt(pos);
      const f = flags(pos);
      const k = contraction(cps, pos, end, true);
      if (k > 0) {
        pos += add(pos + k);
        continue;
      }
      if (!(c === 0x0d || c === 0x0a || f.number)) {
        if (f.letter || flags(pos + 1).letter) {
          pos++;
          while (flags(pos).letter) pos++;
          add(pos);
          continue;
        }
      }
      if (f.number) {
        let ini = pos;
        while (flags(pos).number) {
          if (++pos - ini >= maxDigits) {
            add(pos);
            ini = pos;
          }
        }
        add(pos);
        continue;
      }
      let f2 = c === 0x20 ? flags(pos + 1) : f;
      if (!(f2.whitespace || f2.letter || f2.number) && f.defined) {
        pos += c === 0x20 ? 1 : 0;
        while (!(f2.whitespace || f2.letter || f2.number) && f2.defined) f2 = flags(++pos);
        let c2 = cpt(pos);
        while (c2 === 0x0d || c2 === 0x0a) c2 = cpt(++pos);
        add(pos);
        continue;
      }
      let ws = 0;
      let lastRN = 0;
      while (flags(pos + ws).whitespace) {
        const c2 = cpt(pos + ws);
        if (c2 === 0x0d || c2 === 0x0a) lastRN = pos + ws + 1;
        ws++;
      }
      if (lastRN > 0) {
        pos = lastRN;
        add(pos);
        continue;
      }
      if (ws > 1 && cpt(pos + ws) !== -1) {
        pos += ws - 1;
        add(pos);
        continue;
      }
      if (ws > 0) {
        pos += ws;
        add(pos);
        continue;
      }
      add(++pos);
    }
  };
}

/** The collapsed-text stand-ins of the categories llama.cpp collapses, and their ASCII members. */
const CATEGORY: Readonly<Record<string, { readonly stand: string; readonly ascii: string }>> = {
  N: { stand: '\u00d1', ascii: '0-9' },
  L: { stand: '\u00d2', ascii: 'A-Za-z' },
  P: { stand: '\u00d3', ascii: '!-#%-*,-/:-;?-@\\[-\\]_\\{\\}' },
};

function collapsedChar(cp: number): string {
  if (cp < 128) return String.fromCharCode(cp);
  const s = String.fromCodePoint(cp);
  if (WHITESPACE.test(s)) return '\u000b';
  if (LETTER.test(s)) return CATEGORY.L.stand;
  if (NUMBER.test(s)) return CATEGORY.N.stand;
  if (PUNCT.test(s)) return CATEGORY.P.stand;
  return '\u00d0';
}

/** A regex over the collapsed text: \p{X} → [stand + ASCII members] (inside a class: without brackets). */
function collapseRegex(source: string): RegExp {
  let out = '';
  let inside = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '[' && (i === 0 || source[i - 1] !== '\\')) {
      inside = true;
      out += c;
      continue;
    }
    if (inside && c === ']' && source[i - 1] !== '\\') {
      inside = false;
      out += c;
      continue;
    }
    const m = /^\\p\{([A-Za-z]+)\}/.exec(source.slice(i));
    if (m !== null && Object.hasOwn(CATEGORY, m[1])) {
      const { stand, ascii } = CATEGORY[m[1]];
      out += inside ? stand + ascii : `[${stand}${ascii}]`;
      i += m[0].length - 1;
      continue;
    }
    out += c;
  }
  return new RegExp(out, 'g');
}

/** std::regex over each piece: matches and the gaps between them become pieces. */
function regexSplitter(source: string): Splitter {
  const collapsed = /\\p\{[A-Za-z]+\}/.test(source);
  const re = collapsed ? collapseRegex(source) : new RegExp(source, 'gu');
  return (cps, start, end, out) => {
    // One JS string unit per code point keeps match offsets in code points: collapsed text is
    // one unit each by construction; otherwise astral code points are mapped the same way
    // llama.cpp's wide-char regex sees them (as one unit) with the u flag on a surrogate-free text.
    let text = '';
    const units: number[] = [];
    for (let i = start; i < end; i++) {
      const cp = cps[i];
      let s: string;
      if (collapsed) s = collapsedChar(cp);
      else s = cp > 0x7f && WHITESPACE.test(String.fromCodePoint(cp)) ? '\u000b' : String.fromCodePoint(cp);
      text += s;
      units.push(s.length);
    }
    // Map string offsets back to code point counts.
    const toCp: number[] = [0];
    for (const u of units) {
      for (let k = 1; k < u; k++) toCp.push(Number.NaN);
      toCp.push(toCp.filter((v) => !Number.isNaN(v)).length);
    }
    const cpAt = (offset: number): number => {
      let o = offset;
      while (Number.isNaN(toCp[o])) o++;
      return toCp[o];
    };
    let last = 0;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      const a = cpAt(m.index);
      const b = cpAt(m.index + m[0].length);
      if (a > last) out.push(a - last);
      out.push(b - a);
      last = b;
    }
    const total = end - start;
    if (last < total) out.push(total - last);
  };
}

const GPT2_REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";

/** tokenizer.ggml.pre → llama.cpp's regex list (llm_tokenizer_bpe). */
const PRE_TOKENIZERS: ReadonlyMap<string, readonly (string | Splitter)[]> = new Map<string, readonly (string | Splitter)[]>([
  ['gpt-2', [splitGpt2]],
  ['mpt', [splitGpt2]],
  ['olmo', [splitGpt2]],
  ['jais', [splitGpt2]],
  ['llama-bpe', [llama3Splitter(3)]],
  ['llama3', [llama3Splitter(3)]],
  ['dbrx', [llama3Splitter(3)]],
  ['smaug-bpe', [llama3Splitter(3)]],
  ['qwen2', ['(?:\'[sS]|\'[tT]|\'[rR][eE]|\'[vV][eE]|\'[mM]|\'[lL][lL]|\'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+']],
  ['stablelm2', ['(?:\'[sS]|\'[tT]|\'[rR][eE]|\'[vV][eE]|\'[mM]|\'[lL][lL]|\'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+']],
  ['deepseek-llm', [
    // Code points that NFC would change are escaped (ώ ι ΐ Ί Ω K are compatibility singletons).
    '[\r\n]',
    '\\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-\\u{1F7D}ᾀ-ᾴᾶ-ᾼ\\u{1FBE}ῂ-ῄῆ-ῌῐ-\\u{1FD3}ῖ-\\u{1FDB}ῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤ\\u{2126}ℨ\\u{212A}-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+',
    '\\s?[!-/:-~！-／：-～‘-‟　-。]+',
    '\\s+$',
    '[一-龥ࠀ-一가-퟿]+',
    '\\p{N}+',
  ]],
  ['deepseek-coder', ['[\r\n]', '\\s?\\p{L}+', '\\s?\\p{P}+', '[一-龥ࠀ-一가-퟿]+', '\\p{N}']],
  ['falcon', ['[\\p{P}\\$\\+<=>\\^~\\|`]+', splitGpt2, '[0-9][0-9][0-9]']],
  ['starcoder', ['\\p{N}', splitGpt2]],
  ['refact', ['\\p{N}', splitGpt2]],
  ['command-r', ['\\p{N}', splitGpt2]],
  ['smollm', ['\\p{N}', splitGpt2]],
  ['default', ['[\\p{P}\\$\\+<=>\\^~\\|]+', splitGpt2, '\\p{N}+', '[0-9][0-9][0-9]']],
]);

export function supportedPreTokenizers(): string {
  return [...PRE_TOKENIZERS.keys()].join(', ');
}

/** The pre-tokenizer for tokenizer.ggml.pre, or undefined when llama.cpp's list is not known here. */
export function preTokenizer(name: string): ((text: string) => string[]) | undefined {
  const steps = PRE_TOKENIZERS.get(name);
  if (steps === undefined) return undefined;
  const splitters = steps.map((s) => (typeof s === 'string' ? (s === GPT2_REGEX ? splitGpt2 : regexSplitter(s)) : s));
  return (text) => {
    const cps = Array.from(text, (c) => c.codePointAt(0)!);
    let pieces = [cps.length];
    for (const split of splitters) {
      const next: number[] = [];
      let start = 0;
      for (const len of pieces) {
        split(cps, start, start + len, next);
        start += len;
      }
      pieces = next;
    }
    const words: string[] = [];
    let start = 0;
    for (const len of pieces) {
      words.push(String.fromCodePoint(...cps.slice(start, start + len)));
      start += len;
    }
    return words;
  };
}
