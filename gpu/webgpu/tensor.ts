/**
 * GPU tensors and the per-backend context launchers work through.
 *
 * A tensor's storage is f32, or F16/BF16 packed two per u32 word (element 2i in the low half),
 * in one buffer — or, when it is larger than the storage binding limit, in several buffers
 * split along axis 0 (whole rows per chunk). Storage is reference-counted because reshape
 * shares it.
 */
import { numel, shapeString, type Backend, type Tensor } from '../backend.ts';
import type { Engine } from './engine.ts';
import { BLOCK_KINDS, type StorageKind } from './kernel.ts';
import { decode } from './kernels/convert.ts';
import { dequantize } from './kernels/dequant.ts';
import type { MatmulTile } from './kernels/matmul.ts';

export interface Chunk {
  readonly buffer: GPUBuffer;
  /** First element of the tensor held here; chunks cover consecutive whole rows of axis 0. */
  readonly start: number;
  readonly count: number;
}

export class Storage {
  private refs = 1;
  constructor(
    readonly kind: StorageKind,
    readonly chunks: readonly Chunk[],
  ) {}

  retain(): void {
    this.refs++;
  }

  /** Drops one reference; true when it was the last. */
  drop(): boolean {
    return --this.refs === 0;
  }
}

export class GpuTensor implements Tensor {
  disposed = false;
  constructor(
    readonly shape: readonly number[],
    readonly owner: Backend,
    readonly storage: Storage,
  ) {}
}

/** A buffer a kernel reads, and what to do once the dispatch is encoded. */
export interface Operand {
  readonly buffer: GPUBuffer;
  done(): void;
}

export function storageBytes(kind: StorageKind, count: number): number {
  const block = BLOCK_KINDS.get(kind);
  if (block !== undefined) return 4 * Math.ceil(((count / block.values) * block.bytes) / 4);
  return kind === 'f32' ? 4 * count : 4 * Math.ceil(count / 2);
}

export function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= shape[d];
  }
  return strides;
}

export function nextPow2(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}

/** Workgroup size for one-workgroup-per-row kernels: a power of two, 32..256. */
export function rowWorkgroup(rowLength: number): number {
  return Math.min(256, Math.max(32, nextPow2(rowLength)));
}

export class Context {
  constructor(
    readonly engine: Engine,
    readonly owner: Backend,
    /** Fixed GEMM tile for every matmul (else chosen per shape). */
    readonly matmulTile?: MatmulTile,
  ) {}

  /** `t` as one of ours and alive. */
  tensor(t: Tensor, op: string): GpuTensor {
    if (!(t instanceof GpuTensor) || t.owner !== this.owner) {
      throw new Error(`${op}: tensor ${shapeString(t.shape)} belongs to another backend`);
    }
    if (t.disposed) throw new Error(`${op}: tensor ${shapeString(t.shape)} was disposed`);
    return t;
  }

  /** A fresh f32 tensor for a kernel to write. */
  output(shape: readonly number[], what: string): GpuTensor {
    const count = numel(shape);
    const buffer = this.engine.allocate(4 * count, `${what} ${shapeString(shape)}`, false);
    return new GpuTensor([...shape], this.owner, new Storage('f32', [{ buffer, start: 0, count }]));
  }

  /** The buffer of a tensor written by `output` (always one f32 chunk). */
  buffer(t: GpuTensor): GPUBuffer {
    return t.storage.chunks[0].buffer;
  }

  /** The single buffer of `t`, whatever its storage kind. */
  single(t: GpuTensor, op: string): Chunk {
    const { chunks, kind } = t.storage;
    if (chunks.length > 1) {
      const bytes = storageBytes(kind, numel(t.shape));
      throw new Error(
        `WebGPU ${op}: tensor ${shapeString(t.shape)} (${kind}, ${bytes} bytes) is split across ${chunks.length} ` +
          `buffers because it exceeds the storage binding limit of ${this.engine.limits.maxBindingBytes} bytes; ` +
          `only gather and linear accept split tensors`,
      );
    }
    return chunks[0];
  }

  /** The chunks of a [rows, row] tensor as whole-row ranges (one unless split). */
  rowChunks(t: GpuTensor, row: number, op: string): { buffer: GPUBuffer; first: number; rows: number }[] {
    return t.storage.chunks.map(({ buffer, start, count }) => {
      if (row === 0) return { buffer, first: 0, rows: t.shape[0] };
      if (start % row !== 0 || count % row !== 0) {
        throw new Error(`WebGPU ${op}: tensor ${shapeString(t.shape)} is split off its row boundaries (reshaped?)`);
      }
      return { buffer, first: start / row, rows: count / row };
    });
  }

  /** A fresh f32 tensor for kernels to write, split by rows past the binding limit. */
  outputRows(shape: readonly number[], what: string): GpuTensor {
    const chunks = planChunks('f32', shape, this.engine.limits.maxBindingBytes, what).map(({ start, count }) => ({
      buffer: this.engine.allocate(4 * count, `${what} ${shapeString(shape)}`, false),
      start,
      count,
    }));
    return new GpuTensor([...shape], this.owner, new Storage('f32', chunks));
  }

  /** `t` itself, or for block-quantised storage a decoded f32 temporary (dispose it after use). */
  decodedBlocks(t: GpuTensor, op: string): { tensor: GpuTensor; done(): void } {
    if (!BLOCK_KINDS.has(t.storage.kind)) return { tensor: t, done: () => undefined };
    const temp = dequantize(this, t, op);
    return { tensor: temp, done: () => this.dispose(temp) };
  }

  /** The f32 buffer of `t`, decoding F16/BF16 or block storage into a temporary when needed. */
  f32(t: GpuTensor, op: string): Operand {
    if (BLOCK_KINDS.has(t.storage.kind)) {
      const temp = dequantize(this, t, op);
      const chunk = this.single(temp, op);
      return { buffer: chunk.buffer, done: () => this.dispose(temp) };
    }
    const chunk = this.single(t, op);
    if (t.storage.kind === 'f32') return { buffer: chunk.buffer, done: () => undefined };
    const temp = decode(this, t, op);
    return { buffer: this.buffer(temp), done: () => this.dispose(temp) };
  }

  /** Host data (ids, tables, masks) for one dispatch; `done` once the dispatch is encoded. */
  scratch(data: Uint32Array | Float32Array, what: string): Operand {
    const buffer = this.engine.allocate(Math.max(4, data.byteLength), what, true);
    if (data.byteLength > 0) this.engine.write(buffer, data);
    return { buffer, done: () => this.engine.release(buffer) };
  }

  /**
   * Uploads f32 data or packed 16-bit patterns, splitting along axis 0 past the binding limit,
   * or ggml blocks (raw bytes, one buffer).
   */
  upload(data: Float32Array | Uint16Array | Uint8Array, kind: StorageKind, shape: readonly number[], what: string): GpuTensor {
    if (data instanceof Uint8Array) return this.uploadBlocks(data, kind, shape, what);
    const chunks = planChunks(kind, shape, this.engine.limits.maxBindingBytes, what).map(({ start, count }) => {
      const bytes = storageBytes(kind, count);
      const buffer = this.engine.allocate(bytes, `${what} ${shapeString(shape)}`, true);
      let view = data.subarray(start, start + count);
      if (view.byteLength % 4 !== 0) {
        const padded = new Uint16Array(count + 1);
        padded.set(view);
        view = padded;
      }
      if (count > 0) this.engine.write(buffer, view);
      return { buffer, start, count };
    });
    return new GpuTensor([...shape], this.owner, new Storage(kind, chunks));
  }

  private uploadBlocks(data: Uint8Array, kind: StorageKind, shape: readonly number[], what: string): GpuTensor {
    const count = numel(shape);
    const bytes = storageBytes(kind, count);
    const padded = new Uint8Array(bytes);
    padded.set(data);
    const buffer = this.engine.allocate(Math.max(4, bytes), `${what} ${shapeString(shape)}`, true);
    if (bytes > 0) this.engine.write(buffer, new Uint32Array(padded.buffer));
    return new GpuTensor([...shape], this.owner, new Storage(kind, [{ buffer, start: 0, count }]));
  }

  dispose(t: GpuTensor): void {
    if (t.disposed) return;
    t.disposed = true;
    if (t.storage.drop()) for (const chunk of t.storage.chunks) this.engine.release(chunk.buffer);
  }
}

/** Element ranges per buffer: one when it fits, else whole rows of axis 0 per chunk. */
function planChunks(
  kind: StorageKind,
  shape: readonly number[],
  limit: number,
  what: string,
): { start: number; count: number }[] {
  const count = numel(shape);
  if (storageBytes(kind, count) <= limit) return [{ start: 0, count }];
  const row = count / shape[0];
  // Elements per chunk ≤ limit / 4 (f32) or 2·floor(limit / 4) (packed pairs).
  const perChunk = kind === 'f32' ? Math.floor(limit / 4) : 2 * Math.floor(limit / 4);
  let rows = Math.floor(perChunk / row);
  // Packed chunks must start on a word boundary: an even element index.
  if (kind !== 'f32' && row % 2 === 1 && rows % 2 === 1) rows--;
  if (rows === 0) {
    throw new Error(
      `WebGPU: ${what} ${shapeString(shape)} cannot be split: one row of axis 0 (${row} ${kind} elements) ` +
        `exceeds the storage binding limit of ${limit} bytes`,
    );
  }
  const chunks: { start: number; count: number }[] = [];
  for (let r = 0; r < shape[0]; r += rows) {
    chunks.push({ start: r * row, count: Math.min(rows, shape[0] - r) * row });
  }
  return chunks;
}
