/**
 * Tokenizers from Hugging Face `tokenizer.json` (+ `tokenizer_config.json`), run by
 * @huggingface/tokenizers, behind a small interface the rest of the workbench uses.
 *
 * BOS handling is ours, not the library's: `encode` always tokenizes without special tokens and
 * then prepends the BOS id itself when asked, so whether a BOS is there is a visible decision of
 * the caller (TransformerLens's `prepend_bos`), with a per-tokenizer default:
 *
 *   defaultPrependBos =
 *     1. tokenizer_config.json `add_bos_token`, when it is a boolean (what transformers' slow and
 *        fast Llama/GPT-2 tokenizers honour); otherwise
 *     2. true when tokenizer.json's post_processor is a TemplateProcessing (possibly inside a
 *        Sequence) whose single-sequence template starts with a special token (Llama 2/3 style);
 *     3. otherwise false (GPT-2's ByteLevel post-processor adds nothing).
 *
 *   The BOS id is that template's leading special token, else tokenizer_config `bos_token`.
 *
 * So stories260K and Llama prepend BOS by default, GPT-2 does not.
 */
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { ModelFormatError } from './errors.ts';
import { checkTokenizerJson } from './tokenizer-schema.ts';

export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';

export interface EncodeOptions {
  /** Put the BOS id first. Defaults to the tokenizer's `defaultPrependBos`. */
  readonly prependBos?: boolean;
}

export interface DecodeOptions {
  /** Drop special tokens such as BOS/EOS (default true, as transformers' `skip_special_tokens`). */
  readonly skipSpecialTokens?: boolean;
}

export interface Tokenizer {
  /** One more than the largest token id (added tokens included). */
  readonly vocabSize: number;
  readonly bosTokenId: number | null;
  /** Whether this model's tokenizer prepends BOS by default; see the module comment for the rule. */
  readonly defaultPrependBos: boolean;
  encode(text: string, options?: EncodeOptions): number[];
  decode(ids: readonly number[], options?: DecodeOptions): string;
  /**
   * The text one token stands for, for token strips: leading spaces kept (GPT-2's "Ġ" and
   * SentencePiece's "▁" become " "), byte tokens that form a whole character decoded, bytes that
   * are only part of a UTF-8 character shown as "<0xE2>". Special tokens are shown as written
   * ("<s>"). Control characters such as "\n" are returned as they are; escaping is for the view.
   */
  tokenString(id: number): string;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every component of a (possibly Sequence-nested) tokenizer.json component. */
function flatten(component: unknown, listKey: string): Json[] {
  if (!isObject(component)) return [];
  const children = component[listKey];
  if (component.type === 'Sequence' && Array.isArray(children)) return children.flatMap((c) => flatten(c, listKey));
  return [component];
}

/** The id of the special token a TemplateProcessing puts first in a single sequence, if any. */
function templateBos(tokenizerJson: Json): { found: boolean; id: number | null } {
  for (const p of flatten(tokenizerJson.post_processor, 'processors')) {
    if (p.type !== 'TemplateProcessing' || !Array.isArray(p.single)) continue;
    const first: unknown = p.single[0];
    const special = isObject(first) && isObject(first.SpecialToken) ? first.SpecialToken : null;
    if (special === null) return { found: false, id: null };
    const tokens = isObject(p.special_tokens) ? p.special_tokens : {};
    const entry = tokens[String(special.id)];
    const ids = isObject(entry) && Array.isArray(entry.ids) ? entry.ids : [];
    return { found: true, id: typeof ids[0] === 'number' ? ids[0] : null };
  }
  return { found: false, id: null };
}

/** tokenizer_config's bos_token, a string or an AddedToken-like `{content}`. */
function configBosToken(config: Json): string | null {
  const bos = config.bos_token;
  if (typeof bos === 'string') return bos;
  if (isObject(bos) && typeof bos.content === 'string') return bos.content;
  return null;
}

/** GPT-2's bytes_to_unicode, inverted: the printable stand-in character → the byte. */
function byteLevelDecoder(): Map<string, number> {
  const bytes: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bytes.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bytes.push(b);
  for (let b = 0xae; b <= 0xff; b++) bytes.push(b);
  const chars = [...bytes];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bytes.includes(b)) {
      bytes.push(b);
      chars.push(256 + n++);
    }
  }
  return new Map(bytes.map((b, i) => [String.fromCodePoint(chars[i]), b]));
}

/** Decodes UTF-8, writing each byte that is not part of a complete character as "<0xNN>". */
export function readableUtf8(bytes: Uint8Array): string {
  const hex = (b: number): string => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
  const strict = new TextDecoder('utf-8', { fatal: true });
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len > 0 && i + len <= bytes.length) {
      try {
        out += strict.decode(bytes.subarray(i, i + len));
        i += len;
        continue;
      } catch {
        // not a valid sequence: fall through and escape the lead byte
      }
    }
    out += hex(b);
    i++;
  }
  return out;
}

const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;

class HfBackedTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly bosTokenId: number | null;
  readonly defaultPrependBos: boolean;
  private readonly specialIds: ReadonlySet<number>;
  private readonly byteLevel: Map<string, number> | null;

  constructor(
    private readonly hf: HfTokenizer,
    tokenizerJson: Json,
    config: Json,
  ) {
    let maxId = -1;
    for (const id of hf.get_vocab(true).values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    this.specialIds = new Set(
      [...hf.get_added_tokens_decoder()].filter(([, token]) => token.special).map(([id]) => id),
    );

    const template = templateBos(tokenizerJson);
    const bosText = configBosToken(config);
    this.bosTokenId = template.id ?? (bosText === null ? null : (hf.token_to_id(bosText) ?? null));
    this.defaultPrependBos = typeof config.add_bos_token === 'boolean' ? config.add_bos_token : template.found;
    if (this.defaultPrependBos && this.bosTokenId === null) {
      throw new ModelFormatError(
        `${TOKENIZER_CONFIG_FILE}: the tokenizer prepends a BOS token, but neither tokenizer.json nor bos_token names one in the vocabulary`,
      );
    }

    const usesByteLevel = [...flatten(tokenizerJson.decoder, 'decoders'), ...flatten(tokenizerJson.pre_tokenizer, 'pretokenizers')]
      .some((c) => c.type === 'ByteLevel');
    this.byteLevel = usesByteLevel ? byteLevelDecoder() : null;
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids = this.hf.encode(text, { add_special_tokens: false }).ids;
    if (!(options.prependBos ?? this.defaultPrependBos)) return ids;
    if (this.bosTokenId === null) throw new Error('encode: prependBos requested, but this tokenizer has no BOS token');
    return [this.bosTokenId, ...ids];
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    for (const id of ids) this.checkId(id);
    // The library refuses an empty list; the empty sequence decodes to "".
    if (ids.length === 0) return '';
    // clean_up_tokenization_spaces off: it rewrites text (" ?" → "?"), and we show tokens as they are.
    return this.hf.decode([...ids], {
      skip_special_tokens: options.skipSpecialTokens ?? true,
      clean_up_tokenization_spaces: false,
    });
  }

  tokenString(id: number): string {
    this.checkId(id);
    const piece = this.hf.id_to_token(id);
    if (piece === undefined) throw new RangeError(`token id ${id} has no entry in the vocabulary`);
    if (this.specialIds.has(id)) return piece;
    if (this.byteLevel !== null) {
      const bytes = Uint8Array.from(piece, (ch) => this.byteLevel!.get(ch) ?? 0x3f);
      return readableUtf8(bytes);
    }
    const byte = BYTE_PIECE.exec(piece);
    if (byte !== null) return readableUtf8(new Uint8Array([parseInt(byte[1], 16)]));
    return piece.replaceAll('\u2581', ' ');
  }

  private checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new RangeError(`token id ${id} is outside the vocabulary (0 … ${this.vocabSize - 1})`);
    }
  }
}

/**
 * Builds a tokenizer from the parsed contents of tokenizer.json and (optionally)
 * tokenizer_config.json.
 */
export function createTokenizer(tokenizerJson: unknown, tokenizerConfig?: unknown): Tokenizer {
  if (!isObject(tokenizerJson)) throw new ModelFormatError(`${TOKENIZER_FILE}: expected a JSON object`);
  if (tokenizerConfig !== undefined && !isObject(tokenizerConfig)) {
    throw new ModelFormatError(`${TOKENIZER_CONFIG_FILE}: expected a JSON object`);
  }
  checkTokenizerJson(tokenizerJson);
  const config = tokenizerConfig ?? {};
  let hf: HfTokenizer;
  try {
    hf = new HfTokenizer(tokenizerJson, config);
  } catch (e) {
    throw new ModelFormatError(`${TOKENIZER_FILE}: cannot build the tokenizer (${(e as Error).message})`);
  }
  const tokenizer = new HfBackedTokenizer(hf, tokenizerJson, config);
  probe(tokenizer);
  return tokenizer;
}

/** Text that passes through every component: letters, digits, punctuation, spaces, a newline, non-ASCII. */
const PROBE_TEXT = 'Hello, world! 123 \n\t é 😀';

/**
 * The library builds a tokenizer from components it has not checked (a decoder of `null`, a
 * post-processor whose template holds a number) and fails only when they are first used, with a
 * TypeError. One encode and decode at load time turns that into a message naming the file.
 */
function probe(tokenizer: Tokenizer): void {
  let ids: number[];
  try {
    ids = tokenizer.encode(PROBE_TEXT, { prependBos: false });
  } catch (e) {
    throw new ModelFormatError(`${TOKENIZER_FILE}: cannot encode text (its normalizer, pre_tokenizer or model is malformed: ${(e as Error).message})`);
  }
  try {
    tokenizer.decode(ids);
    for (const id of ids) tokenizer.tokenString(id);
  } catch (e) {
    throw new ModelFormatError(`${TOKENIZER_FILE}: cannot decode tokens (its decoder or vocabulary is malformed: ${(e as Error).message})`);
  }
}
