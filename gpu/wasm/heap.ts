/**
 * Allocation inside the kernels' WebAssembly memory, managed from JavaScript (the kernels have no
 * allocator of their own): first fit over a sorted free list, neighbours merged on free, the
 * memory grown when nothing fits. Blocks are 64-byte aligned (a cache line; SIMD loads).
 */

const PAGE = 65536;
const ALIGN = 64;

interface Block {
  at: number;
  size: number;
}

export class WasmHeap {
  private readonly free: Block[] = [];
  private readonly used = new Map<number, number>();

  /** Allocation starts at `base` (below it: nothing; address 0 stays unused so 0 means "none"). */
  constructor(
    readonly memory: WebAssembly.Memory,
    base: number,
  ) {
    const start = Math.ceil(Math.max(base, ALIGN) / ALIGN) * ALIGN;
    const end = memory.buffer.byteLength;
    if (end > start) this.free.push({ at: start, size: end - start });
  }

  /** Bytes in use (weights and live scratch). */
  get usedBytes(): number {
    let n = 0;
    for (const size of this.used.values()) n += size;
    return n;
  }

  alloc(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    let i = this.free.findIndex((b) => b.size >= size);
    if (i < 0) {
      this.grow(size);
      i = this.free.findIndex((b) => b.size >= size);
    }
    const block = this.free[i];
    const at = block.at;
    if (block.size === size) this.free.splice(i, 1);
    else {
      block.at += size;
      block.size -= size;
    }
    this.used.set(at, size);
    return at;
  }

  release(at: number): void {
    const size = this.used.get(at);
    if (size === undefined) throw new Error(`wasm heap: ${at} is not an allocated block`);
    this.used.delete(at);
    let i = 0;
    while (i < this.free.length && this.free[i].at < at) i++;
    this.free.splice(i, 0, { at, size });
    // Merge with the next block, then with the previous one.
    const cur = this.free[i];
    const next = this.free[i + 1];
    if (next && cur.at + cur.size === next.at) {
      cur.size += next.size;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.at + prev.size === cur.at) {
      prev.size += cur.size;
      this.free.splice(i, 1);
    }
  }

  private grow(size: number): void {
    const end = this.memory.buffer.byteLength;
    const last = this.free[this.free.length - 1];
    const tail = last && last.at + last.size === end ? last.size : 0;
    // Grow by at least 1/8 of the current size, so many small growths do not each pay a copy.
    const need = Math.max(size - tail, end / 8, PAGE);
    const pages = Math.ceil(need / PAGE);
    try {
      this.memory.grow(pages);
    } catch {
      throw new Error(`wasm backend: out of WebAssembly memory (${(end / 2 ** 30).toFixed(2)} GiB in use, ${(size / 2 ** 20).toFixed(1)} MiB more asked for; the limit is 4 GiB)`);
    }
    const added = pages * PAGE;
    if (tail > 0) last.size += added;
    else this.free.push({ at: end, size: added });
  }

  f32(at: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, length);
  }

  u8(at: number, length: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, at, length);
  }

  i32(at: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, at, length);
  }
}
