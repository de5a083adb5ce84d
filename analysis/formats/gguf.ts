/**
 * GGUF reader over a `ModelSource` (llama.cpp's single-file format), versions 2 and 3,
 * little-endian.
 *
 * Layout: magic "GGUF", u32 version, u64 tensor_count, u64 kv_count; kv_count key/value pairs
 * (u64-length-prefixed UTF-8 key, u32 value type, value; an array is u32 element type, u64
 * count, elements); tensor_count tensor infos (name, u32 n_dims, u64 ne[n_dims], u32 ggml type,
 * u64 offset relative to the data section); the data section starts at the next multiple of
 * `general.alignment` (default 32). ne[0] is the fastest-varying axis: the row-major shape is
 * ne reversed, and quantisation blocks run along ne[0].
 *
 * The header is read in chunks as it is parsed (a tokenizer's metadata can be tens of MB);
 * each tensor is then fetched with its own range read when asked for, like safetensors.
 * Everything is validated before any tensor is read, and every error names the file and the
 * key or tensor.
 */
import type { BlockDType, HostWeight, WeightDType } from '../../gpu/backend.ts';
import { shapeString } from '../../gpu/backend.ts';
import { ModelFormatError } from './errors.ts';
import type { ModelSource } from './source.ts';

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_DEFAULT_ALIGNMENT = 32;
/** ggml's GGML_MAX_DIMS. */
const MAX_DIMS = 4;
/** Header bytes fetched per read while parsing. */
const CHUNK_BYTES = 1 << 20;

/** GGUF metadata value types (gguf.h `enum gguf_type`). */
export enum GgufValueType {
  UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6,
  BOOL = 7, STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12,
}

/**
 * A metadata value. Integers are numbers (64-bit ones as bigint when they do not fit a safe
 * integer); arrays keep their element type.
 */
export type GgufScalar = number | bigint | boolean | string;
export interface GgufArray {
  readonly elementType: GgufValueType;
  readonly values: readonly GgufValue[];
}
export type GgufValue = GgufScalar | GgufArray;

export interface GgufEntry {
  readonly type: GgufValueType;
  readonly value: GgufValue;
}

/** ggml tensor types: name, values per block, bytes per block (ggml.c `type_traits`). */
interface GgmlType {
  readonly name: string;
  readonly blockValues: number;
  readonly blockBytes: number;
}

const GGML_TYPES: ReadonlyMap<number, GgmlType> = new Map(
  (
    [
      [0, 'F32', 1, 4], [1, 'F16', 1, 2], [2, 'Q4_0', 32, 18], [3, 'Q4_1', 32, 20],
      [6, 'Q5_0', 32, 22], [7, 'Q5_1', 32, 24], [8, 'Q8_0', 32, 34], [9, 'Q8_1', 32, 36],
      [10, 'Q2_K', 256, 84], [11, 'Q3_K', 256, 110], [12, 'Q4_K', 256, 144], [13, 'Q5_K', 256, 176],
      [14, 'Q6_K', 256, 210], [15, 'Q8_K', 256, 292], [16, 'IQ2_XXS', 256, 66], [17, 'IQ2_XS', 256, 74],
      [18, 'IQ3_XXS', 256, 98], [19, 'IQ1_S', 256, 50], [20, 'IQ4_NL', 32, 18], [21, 'IQ3_S', 256, 110],
      [22, 'IQ2_S', 256, 82], [23, 'IQ4_XS', 256, 136], [24, 'I8', 1, 1], [25, 'I16', 1, 2],
      [26, 'I32', 1, 4], [27, 'I64', 1, 8], [28, 'F64', 1, 8], [29, 'IQ1_M', 256, 56],
      [30, 'BF16', 1, 2], [34, 'TQ1_0', 256, 54], [35, 'TQ2_0', 256, 66],
    ] as const
  ).map(([id, name, blockValues, blockBytes]) => [id, { name, blockValues, blockBytes }]),
);

/** The ggml types the workbench computes with, and the HostWeight dtype each becomes. */
const COMPUTE_DTYPES: ReadonlyMap<string, WeightDType | BlockDType> = new Map([
  ['F32', 'F32'], ['F16', 'F16'], ['BF16', 'BF16'], ['Q8_0', 'Q8_0'], ['Q4_0', 'Q4_0'],
] as const);

export function supportedGgmlTypes(): string {
  return [...COMPUTE_DTYPES.keys()].join(', ');
}

export interface GgufTensorInfo {
  readonly name: string;
  /** ggml type name, e.g. "Q8_0" ("type 99" if unknown: refused when parsing). */
  readonly type: string;
  /** ggml ne: ne[0] fastest-varying. */
  readonly ne: readonly number[];
  /** Row-major shape (ne reversed), e.g. [out, in] for a linear weight. */
  readonly shape: readonly number[];
  /** Absolute byte range [start, end) in the file. */
  readonly start: number;
  readonly end: number;
}

export interface GgufHeader {
  readonly file: string;
  readonly fileSize: number;
  readonly version: number;
  readonly alignment: number;
  /** Absolute offset of the data section. */
  readonly dataStart: number;
  readonly metadata: ReadonlyMap<string, GgufEntry>;
  /** In file order. */
  readonly tensors: ReadonlyMap<string, GgufTensorInfo>;
}

/** Sequential little-endian reads over a source, fetching the file in chunks as needed. */
class ChunkedReader {
  private buf: Uint8Array = new Uint8Array(0);
  private view = new DataView(this.buf.buffer);
  /** File offset of buf[0]. */
  private base = 0;
  pos = 0;

  constructor(
    private readonly source: ModelSource,
    private readonly file: string,
    readonly fileSize: number,
    private readonly where: string,
  ) {}

  /** Makes bytes [pos, pos + n) available; `what` names the field for the truncation message. */
  private async need(n: number, what: string): Promise<void> {
    if (this.pos + n > this.fileSize) {
      throw new ModelFormatError(
        `${this.where} is truncated: ${what} at byte ${this.pos} needs ${n} bytes, but the file ends at byte ${this.fileSize}`,
      );
    }
    if (this.pos >= this.base && this.pos + n <= this.base + this.buf.length) return;
    const end = Math.min(this.fileSize, this.pos + Math.max(n, CHUNK_BYTES));
    this.buf = await this.source.read(this.file, this.pos, end);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.base = this.pos;
  }

  private at(n: number): number {
    const o = this.pos - this.base;
    this.pos += n;
    return o;
  }

  async u8(what: string): Promise<number> {
    await this.need(1, what);
    return this.view.getUint8(this.at(1));
  }
  async i8(what: string): Promise<number> {
    await this.need(1, what);
    return this.view.getInt8(this.at(1));
  }
  async u16(what: string): Promise<number> {
    await this.need(2, what);
    return this.view.getUint16(this.at(2), true);
  }
  async i16(what: string): Promise<number> {
    await this.need(2, what);
    return this.view.getInt16(this.at(2), true);
  }
  async u32(what: string): Promise<number> {
    await this.need(4, what);
    return this.view.getUint32(this.at(4), true);
  }
  async i32(what: string): Promise<number> {
    await this.need(4, what);
    return this.view.getInt32(this.at(4), true);
  }
  async f32(what: string): Promise<number> {
    await this.need(4, what);
    return this.view.getFloat32(this.at(4), true);
  }
  async f64(what: string): Promise<number> {
    await this.need(8, what);
    return this.view.getFloat64(this.at(8), true);
  }
  async u64(what: string): Promise<bigint> {
    await this.need(8, what);
    return this.view.getBigUint64(this.at(8), true);
  }
  async i64(what: string): Promise<bigint> {
    await this.need(8, what);
    return this.view.getBigInt64(this.at(8), true);
  }

  /** A u64 that must be a count or size: a safe integer no larger than `max`. */
  async size(what: string, max: number): Promise<number> {
    const v = await this.u64(what);
    if (v > BigInt(max)) {
      throw new ModelFormatError(
        `${this.where} is truncated or corrupt: ${what} at byte ${this.pos - 8} is ${v}, more than the ${Math.max(0, max)} that fit in the rest of the file`,
      );
    }
    return Number(v);
  }

  async string(what: string): Promise<string> {
    const length = await this.size(`length of ${what}`, this.fileSize - this.pos - 8);
    await this.need(length, what);
    const o = this.at(length);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(this.buf.subarray(o, o + length));
    } catch {
      throw new ModelFormatError(`${this.where}: ${what} is not valid UTF-8`);
    }
  }
}

/** 64-bit integers as numbers when they are safe integers, else bigint (exact either way). */
function narrow(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Smallest encoded size of one element of `type` (bounds array counts before reading them). */
function minElementBytes(type: GgufValueType): number {
  switch (type) {
    case GgufValueType.UINT8: case GgufValueType.INT8: case GgufValueType.BOOL: return 1;
    case GgufValueType.UINT16: case GgufValueType.INT16: return 2;
    case GgufValueType.UINT32: case GgufValueType.INT32: case GgufValueType.FLOAT32: return 4;
    default: return 8; // u64/i64/f64, a string's length, an array's count
  }
}

function isValueType(t: number): t is GgufValueType {
  return Number.isInteger(t) && t >= 0 && t <= GgufValueType.FLOAT64;
}

async function readValue(r: ChunkedReader, type: GgufValueType, what: string, where: string, depth: number): Promise<GgufValue> {
  switch (type) {
    case GgufValueType.UINT8: return r.u8(what);
    case GgufValueType.INT8: return r.i8(what);
    case GgufValueType.UINT16: return r.u16(what);
    case GgufValueType.INT16: return r.i16(what);
    case GgufValueType.UINT32: return r.u32(what);
    case GgufValueType.INT32: return r.i32(what);
    case GgufValueType.FLOAT32: return r.f32(what);
    case GgufValueType.FLOAT64: return r.f64(what);
    case GgufValueType.UINT64: return narrow(await r.u64(what));
    case GgufValueType.INT64: return narrow(await r.i64(what));
    case GgufValueType.STRING: return r.string(what);
    case GgufValueType.BOOL: {
      const b = await r.u8(what);
      if (b > 1) throw new ModelFormatError(`${where}: ${what} is a bool with byte value ${b} (expected 0 or 1)`);
      return b === 1;
    }
    case GgufValueType.ARRAY: {
      const elementType = await r.u32(`element type of ${what}`);
      if (!isValueType(elementType)) {
        throw new ModelFormatError(`${where}: ${what} is an array of unknown value type ${elementType} (known: 0–12)`);
      }
      // gguf.cpp refuses nested arrays too: the format never writes them.
      if (elementType === GgufValueType.ARRAY && depth > 0) {
        throw new ModelFormatError(`${where}: ${what} nests arrays more than one level deep`);
      }
      const count = await r.size(`element count of ${what}`, Math.floor((r.fileSize - r.pos - 8) / minElementBytes(elementType)));
      const values: GgufValue[] = new Array(count);
      for (let i = 0; i < count; i++) values[i] = await readValue(r, elementType, `${what}[${i}]`, where, depth + 1);
      return { elementType, values };
    }
  }
}

/** Reads and validates a GGUF file's header: metadata and tensor infos, no tensor data. */
export async function readGgufHeader(source: ModelSource, file: string): Promise<GgufHeader> {
  const where = `${file} (${source.label})`;
  const fileSize = await source.size(file);
  const r = new ChunkedReader(source, file, fileSize, where);
  if (fileSize < 4) throw new ModelFormatError(`${where} is truncated: ${fileSize} bytes, shorter than the 4-byte GGUF magic`);
  const magic = await r.u32('magic');
  if (magic !== GGUF_MAGIC) {
    const bytes = [0, 8, 16, 24].map((s) => (magic >>> s) & 0xff);
    const shown = bytes.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
    throw new ModelFormatError(`${where}: not a GGUF file (bad magic "${shown}", expected "GGUF")`);
  }
  const version = await r.u32('version');
  if (version !== 2 && version !== 3) {
    // A big-endian GGUF (v3 allows them) reads as a byte-swapped version here.
    const swapped = ((version & 0xff) << 24) | ((version & 0xff00) << 8) | ((version >>> 8) & 0xff00) | (version >>> 24);
    const hint = swapped === 2 || swapped === 3 ? ' (a big-endian GGUF; only little-endian files are supported)' : version === 1 ? ' (GGUF v1 predates 64-bit counts; convert it again with a current llama.cpp)' : '';
    throw new ModelFormatError(`${where}: unsupported GGUF version ${version}${hint}; versions 2 and 3 are supported`);
  }
  // Every tensor info takes ≥ 8 + 4 + 4 + 8 bytes, every key/value ≥ 8 + 4 + 1.
  const tensorCount = await r.size('tensor count', Math.floor(fileSize / 24));
  const kvCount = await r.size('metadata key/value count', Math.floor(fileSize / 13));

  const metadata = new Map<string, GgufEntry>();
  for (let i = 0; i < kvCount; i++) {
    const key = await r.string(`metadata key #${i}`);
    if (metadata.has(key)) throw new ModelFormatError(`${where}: duplicate metadata key "${key}"`);
    const type = await r.u32(`value type of metadata "${key}"`);
    if (!isValueType(type)) {
      throw new ModelFormatError(`${where}: metadata "${key}" has unknown value type ${type} (known: 0–12)`);
    }
    metadata.set(key, { type, value: await readValue(r, type, `metadata "${key}"`, where, 0) });
  }

  const alignment = readAlignment(metadata, where);

  const infos: { name: string; ggml: GgmlType; ne: number[]; offset: number }[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const name = await r.string(`name of tensor #${i}`);
    if (names.has(name)) throw new ModelFormatError(`${where}: duplicate tensor "${name}"`);
    names.add(name);
    const nDims = await r.u32(`n_dims of tensor "${name}"`);
    if (nDims > MAX_DIMS) {
      throw new ModelFormatError(`${where}: tensor "${name}" has ${nDims} dimensions (at most ${MAX_DIMS})`);
    }
    const ne: number[] = [];
    for (let d = 0; d < nDims; d++) {
      const n = await r.u64(`ne[${d}] of tensor "${name}"`);
      if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new ModelFormatError(`${where}: tensor "${name}" has ne[${d}] = ${n}, too large`);
      ne.push(Number(n));
    }
    const typeId = await r.u32(`type of tensor "${name}"`);
    const ggml = GGML_TYPES.get(typeId);
    if (ggml === undefined) {
      throw new ModelFormatError(`${where}: tensor "${name}" has unknown ggml type ${typeId}`);
    }
    const offset = await r.u64(`offset of tensor "${name}"`);
    if (offset > BigInt(Number.MAX_SAFE_INTEGER)) throw new ModelFormatError(`${where}: tensor "${name}" has offset ${offset}, past the end of the file`);
    infos.push({ name, ggml, ne, offset: Number(offset) });
  }

  const dataStart = Math.ceil(r.pos / alignment) * alignment;
  const dataLength = fileSize - dataStart;
  const tensors = new Map<string, GgufTensorInfo>();
  for (const { name, ggml, ne, offset } of infos) {
    const elements = ne.reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(elements)) throw new ModelFormatError(`${where}: tensor "${name}" has ${ne.join('×')} elements, too many`);
    if (ne.length > 0 && ne[0] % ggml.blockValues !== 0) {
      throw new ModelFormatError(
        `${where}: tensor "${name}" of type ${ggml.name} has ne[0] = ${ne[0]}, not a multiple of its block size ${ggml.blockValues}`,
      );
    }
    if (offset % alignment !== 0) {
      throw new ModelFormatError(`${where}: tensor "${name}" has offset ${offset}, not a multiple of the alignment ${alignment}`);
    }
    const bytes = (elements / ggml.blockValues) * ggml.blockBytes;
    if (offset + bytes > dataLength) {
      throw new ModelFormatError(
        `${where}: tensor "${name}" (${ggml.name}, ne ${shapeString(ne)}) occupies data bytes [${offset}, ${offset + bytes}), ` +
          `past the end of the data section (${Math.max(0, dataLength)} bytes${dataLength < 0 ? '' : `; the file is ${fileSize} bytes`}): ` +
          'the file is truncated or the offset is wrong',
      );
    }
    tensors.set(name, {
      name,
      type: ggml.name,
      ne,
      shape: [...ne].reverse(),
      start: dataStart + offset,
      end: dataStart + offset + bytes,
    });
  }
  checkOverlaps(where, [...tensors.values()]);
  return { file, fileSize, version, alignment, dataStart, metadata, tensors };
}

function readAlignment(metadata: ReadonlyMap<string, GgufEntry>, where: string): number {
  const entry = metadata.get('general.alignment');
  if (entry === undefined) return GGUF_DEFAULT_ALIGNMENT;
  const v = entry.value;
  if (entry.type !== GgufValueType.UINT32 || typeof v !== 'number' || v === 0 || (v & (v - 1)) !== 0) {
    throw new ModelFormatError(`${where}: general.alignment must be a u32 power of two, got ${formatValue(v)}`);
  }
  return v;
}

function checkOverlaps(where: string, tensors: GgufTensorInfo[]): void {
  const sorted = tensors.filter((t) => t.end > t.start).sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].start < sorted[i - 1].end) {
      throw new ModelFormatError(`${where}: tensors "${sorted[i - 1].name}" and "${sorted[i].name}" overlap in the data section`);
    }
  }
}

/** A short rendering of a value for messages. */
export function formatValue(v: GgufValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'object') return `an array of ${v.values.length} ${GgufValueType[v.elementType]}`;
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** Whether typed arrays on this machine are little-endian, as GGUF data is. */
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Where a tensor's stored data holds a NaN or ±∞ (a value, or a block scale), or null. GGUF has
 * no checksum; a shifted data section or a damaged download shows up as such values, which would
 * otherwise turn every logit into NaN without a word.
 */
function firstNonFinite(dtype: WeightDType | BlockDType, data: Float32Array | Uint16Array | Uint8Array): string | null {
  if (data instanceof Float32Array) {
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return `element ${i}`;
    return null;
  }
  if (data instanceof Uint16Array) {
    const exponent = dtype === 'BF16' ? 0x7f80 : 0x7c00;
    for (let i = 0; i < data.length; i++) if ((data[i] & exponent) === exponent) return `element ${i}`;
    return null;
  }
  // Q8_0 / Q4_0: each block starts with its f16 scale.
  const blockBytes = dtype === 'Q8_0' ? 34 : 18;
  for (let at = 0; at + 1 < data.length; at += blockBytes) {
    if ((data[at + 1] & 0x7c) === 0x7c) return `the scale of block ${at / blockBytes}`;
  }
  return null;
}

/**
 * A GGUF file opened for reading: metadata in memory, tensors read one at a time on request.
 */
export class GgufFile {
  private constructor(
    private readonly source: ModelSource,
    readonly header: GgufHeader,
  ) {}

  static async open(source: ModelSource, file: string): Promise<GgufFile> {
    return new GgufFile(source, await readGgufHeader(source, file));
  }

  get file(): string {
    return this.header.file;
  }

  get where(): string {
    return `${this.header.file} (${this.source.label})`;
  }

  /** Tensor names, in file order. */
  names(): string[] {
    return [...this.header.tensors.keys()];
  }

  has(name: string): boolean {
    return this.header.tensors.has(name);
  }

  tensor(name: string): GgufTensorInfo {
    const t = this.header.tensors.get(name);
    if (t === undefined) throw new ModelFormatError(`${this.where}: missing tensor "${name}"`);
    return t;
  }

  /** A metadata value, or undefined when the key is absent. */
  value(key: string): GgufValue | undefined {
    return this.header.metadata.get(key)?.value;
  }

  /**
   * Reads one tensor (one range read) with its row-major shape. Types other than F32, F16,
   * BF16, Q8_0 and Q4_0 are refused, naming the type and the tensor.
   */
  async read(name: string): Promise<HostWeight> {
    const info = this.tensor(name);
    const dtype = COMPUTE_DTYPES.get(info.type);
    if (dtype === undefined) {
      throw new ModelFormatError(
        `${this.where}: tensor "${name}" has type ${info.type}, which is not supported yet (supported: ${supportedGgmlTypes()})`,
      );
    }
    if (!HOST_IS_LITTLE_ENDIAN) throw new Error('GGUF data is little-endian; big-endian hosts are not supported');
    const bytes = await this.source.read(this.header.file, info.start, info.end);
    if (bytes.length !== info.end - info.start) {
      throw new ModelFormatError(`${this.where}: reading tensor "${name}" returned ${bytes.length} bytes, expected ${info.end - info.start}`);
    }
    const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
    const buffer = owned ? (bytes.buffer as ArrayBuffer) : new ArrayBuffer(bytes.length);
    if (!owned) new Uint8Array(buffer).set(bytes);
    const data =
      dtype === 'F32' ? new Float32Array(buffer) : dtype === 'F16' || dtype === 'BF16' ? new Uint16Array(buffer) : new Uint8Array(buffer);
    const bad = firstNonFinite(dtype, data);
    if (bad !== null) {
      throw new ModelFormatError(
        `${this.where}: tensor "${name}" (${info.type}) holds a NaN or infinity at ${bad}: the file is corrupt ` +
          '(a damaged download, or a header that no longer points at the data)',
      );
    }
    return { name, dtype, shape: info.shape, data };
  }
}
