/**
 * Writes GGUF files (little-endian, v2 or v3), for tests that need small or deliberately
 * broken files. Values are written with the type given; tensor data is raw bytes.
 */
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GgufValueType } from './gguf.ts';

export type WriterScalar = number | bigint | boolean | string;
export type WriterValue =
  | { type: Exclude<GgufValueType, GgufValueType.ARRAY>; value: WriterScalar }
  | { type: GgufValueType.ARRAY; elementType: GgufValueType; values: readonly WriterScalar[] };

export interface WriterTensor {
  readonly name: string;
  /** ggml ne (ne[0] fastest). */
  readonly ne: readonly number[];
  /** ggml type id (0 F32, 1 F16, 2 Q4_0, 8 Q8_0, 30 BF16, …). */
  readonly type: number;
  readonly data: Uint8Array;
  /** The offset written in the tensor info instead of the true one (the data stays in place). */
  readonly offset?: number;
}

class Bytes {
  private parts: number[] = [];
  u8(v: number): void {
    this.parts.push(v & 0xff);
  }
  bytes(b: Uint8Array): void {
    for (const x of b) this.parts.push(x);
  }
  private fixed(n: number, set: (v: DataView) => void): void {
    const buf = new Uint8Array(n);
    set(new DataView(buf.buffer));
    this.bytes(buf);
  }
  u16(v: number): void { this.fixed(2, (d) => d.setUint16(0, v, true)); }
  i16(v: number): void { this.fixed(2, (d) => d.setInt16(0, v, true)); }
  u32(v: number): void { this.fixed(4, (d) => d.setUint32(0, v, true)); }
  i32(v: number): void { this.fixed(4, (d) => d.setInt32(0, v, true)); }
  f32(v: number): void { this.fixed(4, (d) => d.setFloat32(0, v, true)); }
  f64(v: number): void { this.fixed(8, (d) => d.setFloat64(0, v, true)); }
  u64(v: number | bigint): void { this.fixed(8, (d) => d.setBigUint64(0, BigInt(v), true)); }
  i64(v: number | bigint): void { this.fixed(8, (d) => d.setBigInt64(0, BigInt(v), true)); }
  string(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u64(b.length);
    this.bytes(b);
  }
  get length(): number {
    return this.parts.length;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

function writeScalar(out: Bytes, type: GgufValueType, v: WriterScalar): void {
  switch (type) {
    case GgufValueType.UINT8: case GgufValueType.INT8: return out.u8(Number(v));
    case GgufValueType.UINT16: return out.u16(Number(v));
    case GgufValueType.INT16: return out.i16(Number(v));
    case GgufValueType.UINT32: return out.u32(Number(v));
    case GgufValueType.INT32: return out.i32(Number(v));
    case GgufValueType.FLOAT32: return out.f32(Number(v));
    case GgufValueType.FLOAT64: return out.f64(Number(v));
    case GgufValueType.UINT64: return out.u64(v as number | bigint);
    case GgufValueType.INT64: return out.i64(v as number | bigint);
    // A number is written as the byte itself (tests write invalid bools).
    case GgufValueType.BOOL: return out.u8(typeof v === 'number' ? v : v ? 1 : 0);
    case GgufValueType.STRING: return out.string(String(v));
    default: return; // an unknown type: the type id alone (tests of refused types)
  }
}

export function encodeGguf(
  metadata: Readonly<Record<string, WriterValue>>,
  tensors: readonly WriterTensor[] = [],
  options: { version?: number; alignment?: number } = {},
): Uint8Array {
  const alignment = options.alignment ?? GGUF_DEFAULT_ALIGNMENT;
  const out = new Bytes();
  out.u32(GGUF_MAGIC);
  out.u32(options.version ?? 3);
  out.u64(tensors.length);
  out.u64(Object.keys(metadata).length);
  for (const [key, v] of Object.entries(metadata)) {
    out.string(key);
    out.u32(v.type);
    if (v.type === GgufValueType.ARRAY) {
      out.u32(v.elementType);
      out.u64(v.values.length);
      for (const x of v.values) writeScalar(out, v.elementType, x);
    } else {
      writeScalar(out, v.type, v.value);
    }
  }
  let offset = 0;
  const offsets = tensors.map((t) => {
    const at = offset;
    offset = Math.ceil((at + t.data.length) / alignment) * alignment;
    return at;
  });
  tensors.forEach((t, i) => {
    out.string(t.name);
    out.u32(t.ne.length);
    for (const n of t.ne) out.u64(n);
    out.u32(t.type);
    out.u64(t.offset ?? offsets[i]);
  });
  const dataStart = Math.ceil(out.length / alignment) * alignment;
  const end = tensors.reduce((e, t, i) => Math.max(e, offsets[i] + t.data.length), 0);
  const file = new Uint8Array(dataStart + end);
  file.set(out.done());
  tensors.forEach((t, i) => file.set(t.data, dataStart + offsets[i]));
  return file;
}

export const u32 = (value: number): WriterValue => ({ type: GgufValueType.UINT32, value });
export const f32 = (value: number): WriterValue => ({ type: GgufValueType.FLOAT32, value });
export const str = (value: string): WriterValue => ({ type: GgufValueType.STRING, value });
export const bool = (value: boolean): WriterValue => ({ type: GgufValueType.BOOL, value });
export const arr = (elementType: GgufValueType, values: readonly WriterScalar[]): WriterValue => ({
  type: GgufValueType.ARRAY,
  elementType,
  values,
});
