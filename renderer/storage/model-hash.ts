/**
 * Content hashes that say which model a project's results came from, computed through a
 * `ModelSource` (a folder on disk, a picked directory, HTTP with Range), so the same code runs
 * in the worker, in Electron and in Node.
 *
 * Scheme "probescope-sampled-v1" (why not one SHA-256 over all the weights): SubtleCrypto has
 * no incremental digest, so a full hash of a multi-gigabyte checkpoint would need the whole
 * file in memory or a hand-written SHA-256 reading every byte; either makes opening a model
 * slow. The hash only needs to tell "same model" from "different model" for a warning, so it
 * covers everything that identifies a checkpoint and a bounded sample of its values:
 *   config  = SHA-256(config.json bytes)
 *   weights = SHA-256 of: "probescope-sampled-v1\n", then for every safetensors file (the
 *             index's shards sorted by name, or model.safetensors): its name, "\n", its size and
 *             header length as u64 LE, the header bytes (every tensor's name, dtype, shape and
 *             offsets), and SAMPLE_WINDOWS windows of WINDOW_BYTES spread evenly over the data
 *             section; a data section no larger than the windows together is hashed whole.
 * Two fine-tunes of one base model share their headers but differ in practically every weight,
 * so the sampled windows tell them apart; a file edited only between windows would not be
 * noticed, which is acceptable for a reproducibility warning (it is not a security check).
 * At most 1 MiB per file is read, so hashing takes milliseconds even over HTTP.
 */
import { readSafetensorsHeader, SAFETENSORS_FILE, SAFETENSORS_INDEX_FILE } from '../../analysis/formats/safetensors.ts';
import { readJsonFile } from '../../analysis/formats/json-file.ts';
import { CONFIG_FILE } from '../../analysis/formats/config.ts';
import type { ModelSource } from '../../analysis/formats/source.ts';
import type { ModelHash, ModelReference } from './records.ts';

export const HASH_SCHEME = 'probescope-sampled-v1';
export const SAMPLE_WINDOWS = 16;
export const WINDOW_BYTES = 64 * 1024;

function hex(digest: ArrayBuffer): string {
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function sha256(bytes: Uint8Array): Promise<string> {
  return hex(await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  return out;
}

/** The safetensors files of a checkpoint, sorted by name. */
export async function weightFiles(source: ModelSource): Promise<string[]> {
  if (await source.has(SAFETENSORS_INDEX_FILE)) {
    const index = await readJsonFile(source, SAFETENSORS_INDEX_FILE);
    const map = (index as { weight_map?: unknown } | null)?.weight_map;
    if (typeof map !== 'object' || map === null) throw new Error(`${source.label}: ${SAFETENSORS_INDEX_FILE} has no "weight_map" object`);
    const shards = new Set(Object.values(map).filter((v): v is string => typeof v === 'string'));
    return [...shards].sort();
  }
  if (await source.has(SAFETENSORS_FILE)) return [SAFETENSORS_FILE];
  throw new Error(`${source.label}: no ${SAFETENSORS_FILE} or ${SAFETENSORS_INDEX_FILE} to hash`);
}

/** Byte ranges [start, end) of the data section that the scheme hashes. */
export function sampleRanges(dataStart: number, fileSize: number): Array<[number, number]> {
  const dataLength = fileSize - dataStart;
  if (dataLength <= SAMPLE_WINDOWS * WINDOW_BYTES) return dataLength > 0 ? [[dataStart, fileSize]] : [];
  const step = (dataLength - WINDOW_BYTES) / (SAMPLE_WINDOWS - 1);
  return Array.from({ length: SAMPLE_WINDOWS }, (_, k) => {
    const start = dataStart + Math.floor(k * step);
    return [start, start + WINDOW_BYTES] as [number, number];
  });
}

async function fileParts(source: ModelSource, file: string): Promise<{ parts: Uint8Array[]; size: number }> {
  const header = await readSafetensorsHeader(source, file);
  const lengthBytes = await source.read(file, 0, 8);
  const headerLength = Number(new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8).getBigUint64(0, true));
  const dataStart = 8 + headerLength;
  const parts = [new TextEncoder().encode(`${file}\n`), u64(header.fileSize), u64(headerLength), await source.read(file, 8, dataStart)];
  for (const [start, end] of sampleRanges(dataStart, header.fileSize)) parts.push(await source.read(file, start, end));
  return { parts, size: header.fileSize };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The config and weights digests of the model in `source` (see the scheme above). */
export async function hashModel(source: ModelSource): Promise<ModelHash> {
  const configBytes = await source.read(CONFIG_FILE, 0, await source.size(CONFIG_FILE));
  const parts: Uint8Array[] = [new TextEncoder().encode(`${HASH_SCHEME}\n`)];
  let weightBytes = 0;
  for (const file of await weightFiles(source)) {
    const { parts: fp, size } = await fileParts(source, file);
    parts.push(...fp);
    weightBytes += size;
  }
  return { scheme: HASH_SCHEME, config: await sha256(configBytes), weights: await sha256(concat(parts)), weightBytes };
}

/** A model reference for a project: the name shown to the user plus the hash. */
export async function modelReference(source: ModelSource, name: string): Promise<ModelReference> {
  return { name, hash: await hashModel(source) };
}

/** How two model references differ, in words; null when they are the same model. */
export function describeModelDifference(expected: ModelReference, actual: ModelReference): string | null {
  const a = expected.hash;
  const b = actual.hash;
  if (a === null || b === null) return null;
  if (a.scheme !== b.scheme) return `the models were hashed with different schemes (${a.scheme}, ${b.scheme}) and cannot be compared`;
  const differs: string[] = [];
  if (a.config !== b.config) differs.push('config.json');
  if (a.weights !== b.weights) differs.push('weights');
  if (differs.length === 0) return null;
  return (
    `the project was made with "${expected.name}" (weights ${a.weights.slice(0, 12)}…), but "${actual.name}" ` +
    `(weights ${b.weights.slice(0, 12)}…) differs in its ${differs.join(' and ')}: results may not reproduce`
  );
}
