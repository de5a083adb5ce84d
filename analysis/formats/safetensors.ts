/**
 * Safetensors reader over a `ModelSource`.
 *
 * File layout: u64 little-endian header length N, N bytes of JSON header, then the raw data
 * section. The header maps tensor names to `{dtype, shape, data_offsets: [begin, end]}` (offsets
 * relative to the data section) plus an optional `__metadata__` string map.
 *
 * Only the header is read up front; each tensor is fetched with its own range read when asked
 * for, so a checkpoint never sits in memory whole. Everything in the header is validated before
 * any tensor is read, and every error names the file and the tensor.
 */
import type { HostWeight, WeightDType } from '../../gpu/backend.ts';
import { numel, shapeString } from '../../gpu/backend.ts';
import { ModelFormatError } from './errors.ts';
import { readJsonFile } from './json-file.ts';
import type { ModelSource } from './source.ts';

export { toFloat32 } from '../../gpu/dtype.ts';

/** The dtypes the workbench computes with. */
export const SUPPORTED_DTYPES: readonly WeightDType[] = ['F32', 'F16', 'BF16'];

/**
 * Bytes per element of every dtype the safetensors format defines. Knowing the others lets us
 * validate a header that holds e.g. an I64 buffer we never read, and name the dtype precisely if
 * someone does try to read it.
 */
const DTYPE_BYTES: Readonly<Record<string, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2,
  I64: 8, I32: 4, I16: 2, I8: 1,
  U64: 8, U32: 4, U16: 2, U8: 1,
  BOOL: 1, F8_E4M3: 1, F8_E5M2: 1, F8_E8M0: 1,
  C64: 8,
};

/** The safetensors reference implementation refuses headers above 100 MB; so do we. */
const MAX_HEADER_BYTES = 100_000_000;

export const SAFETENSORS_FILE = 'model.safetensors';
export const SAFETENSORS_INDEX_FILE = 'model.safetensors.index.json';

/** Where one tensor lives: absolute byte range [start, end) within `file`. */
export interface TensorEntry {
  readonly name: string;
  readonly file: string;
  /** As written in the header; may be a dtype we cannot compute with (checked on read). */
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly start: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  readonly file: string;
  readonly fileSize: number;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: ReadonlyMap<string, TensorEntry>;
}

function isSupportedDtype(dtype: string): dtype is WeightDType {
  return (SUPPORTED_DTYPES as readonly string[]).includes(dtype);
}

function supportedList(): string {
  return SUPPORTED_DTYPES.join(', ');
}

function isNonNegativeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Reads and validates the header of one safetensors file. */
export async function readSafetensorsHeader(source: ModelSource, file: string): Promise<SafetensorsHeader> {
  const where = `${file} (${source.label})`;
  const fileSize = await source.size(file);
  if (fileSize < 8) {
    throw new ModelFormatError(
      `${where} is truncated: ${fileSize} bytes, shorter than the 8-byte header length that starts every safetensors file`,
    );
  }
  const lengthBytes = await source.read(file, 0, 8);
  const headerLength = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(fileSize - 8)) {
    throw new ModelFormatError(
      `${where}: header length ${headerLength} runs past the end of the file ` +
        `(the file is ${fileSize} bytes, so at most ${fileSize - 8} bytes of header fit)`,
    );
  }
  const n = Number(headerLength);
  if (n > MAX_HEADER_BYTES) {
    throw new ModelFormatError(`${where}: header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit of the format`);
  }
  const headerBytes = await source.read(file, 8, 8 + n);
  return parseHeader(where, file, headerBytes, fileSize);
}

function parseHeader(where: string, file: string, headerBytes: Uint8Array, fileSize: number): SafetensorsHeader {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    throw new ModelFormatError(`${where}: malformed header, not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelFormatError(`${where}: malformed header, expected a JSON object mapping tensor names to entries`);
  }

  const dataStart = 8 + headerBytes.length;
  const dataLength = fileSize - dataStart;
  let metadata: Record<string, string> = {};
  const entries: TensorEntry[] = [];

  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(where, value);
      continue;
    }
    const bad = (what: string): ModelFormatError =>
      new ModelFormatError(`${where}: malformed header entry for tensor "${name}": ${what}`);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('expected an object');
    const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
    if (typeof dtype !== 'string') throw bad('"dtype" must be a string');
    if (!Array.isArray(shape) || !shape.every(isNonNegativeInt)) {
      throw bad(`"shape" must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInt)) {
      throw bad(`"data_offsets" must be [begin, end] with non-negative integers, got ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) throw bad(`data_offsets [${begin}, ${end}] end before they begin`);
    // Own properties only: a dtype of "constructor" or "__proto__" is unknown, not Object.prototype's.
    const elementBytes = Object.hasOwn(DTYPE_BYTES, dtype) ? DTYPE_BYTES[dtype] : undefined;
    if (elementBytes === undefined) {
      throw new ModelFormatError(
        `${where}: tensor "${name}" has unknown dtype "${dtype}" (supported: ${supportedList()})`,
      );
    }
    const expectedBytes = numel(shape) * elementBytes;
    if (expectedBytes !== end - begin) {
      throw new ModelFormatError(
        `${where}: tensor "${name}" has shape ${shapeString(shape)} and dtype ${dtype}, which needs ` +
          `${expectedBytes} bytes, but its data_offsets [${begin}, ${end}] span ${end - begin} bytes`,
      );
    }
    entries.push({ name, file, dtype, shape: [...shape], start: dataStart + begin, end: dataStart + end });
  }

  checkLayout(where, entries, dataStart, dataLength, fileSize);
  return { file, fileSize, metadata, tensors: new Map(entries.map((e) => [e.name, e])) };
}

function parseMetadata(where: string, value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelFormatError(`${where}: malformed header, "__metadata__" must be an object of strings`);
  }
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new ModelFormatError(`${where}: malformed header, "__metadata__.${k}" must be a string`);
    }
  }
  return value as Record<string, string>;
}

/**
 * The tensors must tile the data section exactly, as the format requires (and the reference
 * implementation checks): sorted by offset, each starts where the one before ends, the first at
 * 0 and the last at the end of the file. Anything else means the offsets and the data disagree,
 * e.g. a header length cut into the header's space padding, which shifts every tensor by a few
 * bytes and would load garbage without a word. A header that tiles more bytes than the file has
 * describes a file that was cut short (an interrupted download), and is reported as such.
 * Zero-byte tensors take no part in the tiling but must still point inside the data section.
 */
function checkLayout(
  where: string,
  entries: readonly TensorEntry[],
  dataStart: number,
  dataLength: number,
  fileSize: number,
): void {
  const offsets = (e: TensorEntry): string => `data_offsets [${e.start - dataStart}, ${e.end - dataStart}]`;
  const sorted = entries.filter((e) => e.end > e.start).sort((a, b) => a.start - b.start || a.end - b.end);
  let expectedStart = dataStart;
  let gap: string | null = null;
  for (const [i, e] of sorted.entries()) {
    if (e.start < expectedStart) {
      const p = sorted[i - 1];
      throw new ModelFormatError(`${where}: tensors "${p.name}" (${offsets(p)}) and "${e.name}" (${offsets(e)}) overlap`);
    }
    if (e.start > expectedStart && gap === null) {
      gap =
        `${where}: tensor "${e.name}" (${offsets(e)}) starts after a gap: the bytes before it end at data offset ` +
        `${expectedStart - dataStart}; the tensors must tile the data section without gaps`;
    }
    expectedStart = e.end;
  }
  const describedLength = expectedStart - dataStart;
  if (gap === null && describedLength > dataLength) {
    throw new ModelFormatError(
      `${where} is truncated: the header describes ${describedLength} bytes of tensor data but only ` +
        `${dataLength} follow it (expected a file of ${dataStart + describedLength} bytes, found ${fileSize})`,
    );
  }
  const outside = entries.find((e) => e.end - dataStart > dataLength);
  if (outside !== undefined) {
    throw new ModelFormatError(
      `${where}: tensor "${outside.name}" has ${offsets(outside)}, out of range: the data section is only ${dataLength} bytes`,
    );
  }
  if (gap !== null) throw new ModelFormatError(gap);
  if (describedLength < dataLength) {
    throw new ModelFormatError(
      `${where}: the tensors cover ${describedLength} bytes, but ${dataLength} bytes follow the ${dataStart - 8}-byte header: ` +
        `the header length is wrong (every tensor would be shifted) or the file has trailing bytes`,
    );
  }
}

/** Whether typed arrays on this machine are little-endian, as safetensors data is. */
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reads one tensor with a single range read into a fresh, aligned buffer. */
export async function readTensor(source: ModelSource, entry: TensorEntry): Promise<HostWeight> {
  const where = `${entry.file} (${source.label})`;
  const dtype = entry.dtype;
  if (!isSupportedDtype(dtype)) {
    throw new ModelFormatError(
      `${where}: tensor "${entry.name}" has dtype ${dtype}, which is not supported (supported: ${supportedList()})`,
    );
  }
  if (!HOST_IS_LITTLE_ENDIAN) throw new Error('safetensors data is little-endian; big-endian hosts are not supported');
  const bytes = await source.read(entry.file, entry.start, entry.end);
  if (bytes.length !== entry.end - entry.start) {
    throw new ModelFormatError(
      `${where}: reading tensor "${entry.name}" returned ${bytes.length} bytes, expected ${entry.end - entry.start}`,
    );
  }
  // Typed arrays need an aligned view. A source that hands back a whole buffer of its own (the
  // usual case) is used as is; a view into a shared pool is copied. Avoiding the copy keeps the
  // loader's peak memory near one copy of the largest tensor.
  const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  const buffer = owned ? (bytes.buffer as ArrayBuffer) : new ArrayBuffer(bytes.length);
  if (!owned) new Uint8Array(buffer).set(bytes);
  const data = dtype === 'F32' ? new Float32Array(buffer) : new Uint16Array(buffer);
  return { name: entry.name, dtype, shape: entry.shape, data };
}

/**
 * A whole checkpoint: one `model.safetensors`, or shards listed by `model.safetensors.index.json`.
 * Knows where every tensor is; reads each only when asked.
 */
export class SafetensorsCheckpoint {
  private constructor(
    private readonly source: ModelSource,
    /** For messages: "model.safetensors" or "model.safetensors.index.json". */
    readonly description: string,
    private readonly entries: ReadonlyMap<string, TensorEntry>,
    readonly metadata: Readonly<Record<string, string>>,
  ) {}

  /** Opens the index if there is one, else `model.safetensors`. */
  static async open(source: ModelSource): Promise<SafetensorsCheckpoint> {
    if (await source.has(SAFETENSORS_INDEX_FILE)) return SafetensorsCheckpoint.openSharded(source);
    if (await source.has(SAFETENSORS_FILE)) return SafetensorsCheckpoint.openFile(source, SAFETENSORS_FILE);
    const hint = (await source.has('pytorch_model.bin'))
      ? ' (pytorch_model.bin is present, but only safetensors checkpoints can be loaded: convert it with save_pretrained(safe_serialization=True))'
      : '';
    throw new ModelFormatError(`${source.label}: no ${SAFETENSORS_FILE} or ${SAFETENSORS_INDEX_FILE} found${hint}`);
  }

  static async openFile(source: ModelSource, file: string): Promise<SafetensorsCheckpoint> {
    const header = await readSafetensorsHeader(source, file);
    return new SafetensorsCheckpoint(source, file, header.tensors, header.metadata);
  }

  static async openSharded(source: ModelSource, indexFile = SAFETENSORS_INDEX_FILE): Promise<SafetensorsCheckpoint> {
    const where = `${indexFile} (${source.label})`;
    const index = await readJsonFile(source, indexFile);
    const weightMap = (index as { weight_map?: unknown } | null)?.weight_map;
    if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
      throw new ModelFormatError(`${where}: expected an object with a "weight_map" of tensor name → shard file`);
    }
    const byShard = new Map<string, string[]>();
    for (const [name, shard] of Object.entries(weightMap)) {
      if (typeof shard !== 'string') {
        throw new ModelFormatError(`${where}: weight_map entry for tensor "${name}" must be a file name string`);
      }
      // push, not a spread copy: copying the list for every name is quadratic in the index size.
      const names = byShard.get(shard);
      if (names === undefined) byShard.set(shard, [name]);
      else names.push(name);
    }
    const entries = new Map<string, TensorEntry>();
    for (const [shard, names] of byShard) {
      if (!(await source.has(shard))) {
        throw new ModelFormatError(`${where}: shard ${shard} (holding "${names[0]}" and ${names.length - 1} more) is missing`);
      }
      const header = await readSafetensorsHeader(source, shard);
      for (const name of names) {
        const entry = header.tensors.get(name);
        if (entry === undefined) {
          throw new ModelFormatError(`${where}: weight_map puts tensor "${name}" in ${shard}, but ${shard} has no such tensor`);
        }
        entries.set(name, entry);
      }
    }
    const metadata = (index as { metadata?: unknown }).metadata;
    const stringMetadata: Record<string, string> = {};
    if (typeof metadata === 'object' && metadata !== null) {
      for (const [k, v] of Object.entries(metadata)) stringMetadata[k] = String(v);
    }
    return new SafetensorsCheckpoint(source, indexFile, entries, stringMetadata);
  }

  /** Tensor names, in header order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Where a tensor lives; throws naming the tensor and the checkpoint file when it is absent. */
  entry(name: string): TensorEntry {
    const entry = this.entries.get(name);
    if (entry === undefined) {
      throw new ModelFormatError(`${this.description} (${this.source.label}): missing tensor "${name}"`);
    }
    return entry;
  }

  /** Reads one tensor (one range read). */
  async read(name: string): Promise<HostWeight> {
    return readTensor(this.source, this.entry(name));
  }
}
