/**
 * The one content identity of a model, used by every cache and project: the CLI's and the
 * notebooks' result caches (notebooks/node/model-host.ts), the app's notebook cache and project
 * model references (computed by the worker at load, renderer/worker/jobs/load-model.ts). It reads
 * through a `ModelSource`, so a folder on disk (Node), a picked folder (Blob slices), HTTP range
 * reads and Electron's model protocol all give the same identity for the same files.
 *
 * Scheme "probescope-model-v2" (the digests are hex SHA-256):
 *   config    = SHA-256(config.json bytes); for a GGUF file, SHA-256 of the file's header bytes
 *               [0, data start): magic, version, every metadata key/value (hyperparameters and the
 *               tokenizer) and every tensor info (name, type, shape, offset).
 *   tokenizer = SHA-256 over (name "\n", byte length u64 LE, bytes) of tokenizer.json and
 *               tokenizer_config.json, those present, in that order; null when neither is there
 *               (and for GGUF, whose tokenizer is in the header).
 *   weights   = SHA-256 of "probescope-model-v2\n", the index file's bytes when the checkpoint is
 *               sharded, then for every safetensors file in name order its name "\n", size and
 *               header length (u64 LE) and header bytes (every tensor's name, dtype, shape and
 *               offsets), then the data fingerprint of its tensors; for GGUF only the fingerprint.
 *   data fingerprint: for every tensor in file order, the first and the last SAMPLE_BYTES bytes of
 *               its data (the whole tensor when it is at most 2 × SAMPLE_BYTES).
 *
 * Why a data fingerprint beyond "config, headers and tokenizer": two checkpoints of one
 * architecture (a fine-tune and its base, a layer swapped in from another checkpoint, a tensor
 * rescaled) have byte-identical headers, and a cache keyed on headers alone would hand one model
 * the other's results. Sampling every tensor's ends catches any change that touches a whole
 * tensor; an in-place edit confined to the inside of a tensor (one neuron's row) is not seen,
 * which is the price of reading at most 8 KiB per tensor instead of the whole checkpoint (a full
 * hash of a multi-gigabyte model would read every byte twice in the browser: SubtleCrypto has no
 * incremental digest).
 */
import { CONFIG_FILE } from './config.ts';
import { ModelFormatError } from './errors.ts';
import { readGgufHeader } from './gguf.ts';
import { readJsonFile } from './json-file.ts';
import { readSafetensorsHeader, SAFETENSORS_FILE, SAFETENSORS_INDEX_FILE } from './safetensors.ts';
import type { ModelSource } from './source.ts';
import { TOKENIZER_CONFIG_FILE, TOKENIZER_FILE } from './tokenizer.ts';

export const MODEL_IDENTITY_SCHEME = 'probescope-model-v2';
/** Bytes read from each end of every tensor. */
export const SAMPLE_BYTES = 4096;

export interface ModelIdentity {
  readonly scheme: typeof MODEL_IDENTITY_SCHEME;
  /** config.json, or a GGUF file's header (hyperparameters, tokenizer, tensor infos). */
  readonly config: string;
  /** The tokenizer files; null when the folder has none (or the model is a GGUF file). */
  readonly tokenizer: string | null;
  /** The weight files' headers and data fingerprint. */
  readonly weights: string;
  /** Total size of the weight files in bytes. */
  readonly weightBytes: number;
}

/** The identity as one string, for cache keys: equal strings ⇔ equal identities. */
export function identityKey(identity: ModelIdentity): string {
  return [identity.scheme, identity.config, identity.tokenizer ?? '-', identity.weights, identity.weightBytes].join(':');
}

/**
 * The identity of the model in `source`: a Hugging Face folder, or the GGUF file `ggufFile` in it.
 * Errors name the file (a missing config.json, a malformed header) as the loader's do.
 */
export async function modelIdentity(source: ModelSource, ggufFile?: string): Promise<ModelIdentity> {
  return ggufFile === undefined ? folderIdentity(source) : ggufIdentity(source, ggufFile);
}

async function folderIdentity(source: ModelSource): Promise<ModelIdentity> {
  const config = await sha256(await readWhole(source, CONFIG_FILE));
  const tokenizerParts: Uint8Array[] = [];
  for (const file of [TOKENIZER_FILE, TOKENIZER_CONFIG_FILE]) {
    if (await source.has(file)) tokenizerParts.push(...framed(file, await readWhole(source, file)));
  }
  const parts: Uint8Array[] = [text(`${MODEL_IDENTITY_SCHEME}\n`)];
  const files = await weightFiles(source);
  if (files.sharded) parts.push(...framed(SAFETENSORS_INDEX_FILE, await readWhole(source, SAFETENSORS_INDEX_FILE)));
  let weightBytes = 0;
  for (const file of files.names) {
    const header = await readSafetensorsHeader(source, file);
    const headerBytes = await source.read(file, 8, 8 + (await headerLength(source, file)));
    parts.push(text(`${file}\n`), u64(header.fileSize), u64(headerBytes.length), headerBytes);
    parts.push(...(await dataFingerprint(source, file, [...header.tensors.values()])));
    weightBytes += header.fileSize;
  }
  return {
    scheme: MODEL_IDENTITY_SCHEME,
    config,
    tokenizer: tokenizerParts.length === 0 ? null : await sha256(concat(tokenizerParts)),
    weights: await sha256(concat(parts)),
    weightBytes,
  };
}

async function ggufIdentity(source: ModelSource, file: string): Promise<ModelIdentity> {
  const header = await readGgufHeader(source, file);
  const fingerprint = await dataFingerprint(source, file, [...header.tensors.values()]);
  return {
    scheme: MODEL_IDENTITY_SCHEME,
    config: await sha256(await source.read(file, 0, header.dataStart)),
    tokenizer: null,
    weights: await sha256(concat([text(`${MODEL_IDENTITY_SCHEME}\n`), ...fingerprint])),
    weightBytes: header.fileSize,
  };
}

/** The safetensors files of a checkpoint, sorted by name (the index's shards, or model.safetensors). */
async function weightFiles(source: ModelSource): Promise<{ names: string[]; sharded: boolean }> {
  if (await source.has(SAFETENSORS_INDEX_FILE)) {
    const index = await readJsonFile(source, SAFETENSORS_INDEX_FILE);
    const map = (index as { weight_map?: unknown } | null)?.weight_map;
    if (typeof map !== 'object' || map === null || Array.isArray(map)) {
      throw new ModelFormatError(`${SAFETENSORS_INDEX_FILE} (${source.label}): expected an object with a "weight_map" of tensor name → shard file`);
    }
    const shards = new Set(Object.values(map).filter((v): v is string => typeof v === 'string'));
    return { names: [...shards].sort(), sharded: true };
  }
  if (await source.has(SAFETENSORS_FILE)) return { names: [SAFETENSORS_FILE], sharded: false };
  throw new ModelFormatError(`${source.label}: no ${SAFETENSORS_FILE} or ${SAFETENSORS_INDEX_FILE} found`);
}

/** A safetensors file's header length (its first 8 bytes; readSafetensorsHeader has checked it). */
async function headerLength(source: ModelSource, file: string): Promise<number> {
  const bytes = await source.read(file, 0, 8);
  return Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
}

/**
 * Byte ranges [start, end) of the data fingerprint, in file order: each tensor's first and last
 * SAMPLE_BYTES (the whole tensor when it is short); touching ranges are merged so a checkpoint of
 * many small tensors costs few reads. Merging does not change the bytes hashed.
 */
export function fingerprintRanges(tensors: readonly { start: number; end: number }[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const add = (start: number, end: number) => {
    if (end <= start) return;
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last[1] === start) last[1] = end;
    else ranges.push([start, end]);
  };
  for (const t of [...tensors].sort((a, b) => a.start - b.start)) {
    if (t.end - t.start <= 2 * SAMPLE_BYTES) add(t.start, t.end);
    else {
      add(t.start, t.start + SAMPLE_BYTES);
      add(t.end - SAMPLE_BYTES, t.end);
    }
  }
  return ranges;
}

async function dataFingerprint(source: ModelSource, file: string, tensors: readonly { start: number; end: number }[]): Promise<Uint8Array[]> {
  const parts: Uint8Array[] = [];
  for (const [start, end] of fingerprintRanges(tensors)) parts.push(await source.read(file, start, end));
  return parts;
}

async function readWhole(source: ModelSource, file: string): Promise<Uint8Array> {
  return source.read(file, 0, await source.size(file));
}

function framed(name: string, bytes: Uint8Array): Uint8Array[] {
  return [text(`${name}\n`), u64(bytes.length), bytes];
}

function text(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
