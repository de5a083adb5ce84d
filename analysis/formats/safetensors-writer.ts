/**
 * Writes safetensors bytes in memory. Tests use it to build tiny (and deliberately broken)
 * checkpoints; it also serves anything that exports weights.
 */
import type { HostWeight } from '../../gpu/backend.ts';

/**
 * Frames a header object and a data section: u64 LE length, JSON padded with spaces to a
 * multiple of 8 (as the reference writer does), then `data`. The header is written exactly as
 * given, so callers can describe offsets, shapes or dtypes that do not match the data.
 */
export function frameSafetensors(header: unknown, data: Uint8Array): Uint8Array {
  let json = JSON.stringify(header);
  while ((8 + new TextEncoder().encode(json).length) % 8 !== 0) json += ' ';
  return frameRawHeader(new TextEncoder().encode(json), data);
}

/** Like `frameSafetensors` with the header bytes given verbatim (e.g. malformed JSON). */
export function frameRawHeader(headerBytes: Uint8Array, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  out.set(data, 8 + headerBytes.length);
  return out;
}

/** A well-formed safetensors file holding `weights` back to back, in the order given. */
export function encodeSafetensors(
  weights: readonly HostWeight[],
  metadata: Readonly<Record<string, string>> = { format: 'pt' },
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const w of weights) {
    const bytes = new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength);
    header[w.name] = { dtype: w.dtype, shape: [...w.shape], data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  const data = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return frameSafetensors(header, data);
}
