/**
 * GEMM worker threads: each instantiates the kernels on the same shared memory and waits on the
 * control block in that memory (thread-protocol.ts). A job (one GEMM, or several such as the
 * heads of an attention) is cut into column chunks of whole 8-column panels; the calling thread
 * and the workers claim chunks from one counter, so nobody waits for a worker that wakes late:
 * the caller only waits for chunks already being computed. A worker's wake-up overlaps the
 * caller's other work, since the next job waits for it only when that job is published.
 * Node: worker_threads; browsers: Web Workers (cross-origin isolated only, since shared memory
 * needs it); host.ts starts them.
 */
import { wasmHost } from '#wasm-host';
import type { WasmThread } from './host.ts';
import type { GemmCall, Kernels } from './runtime.ts';
import type { WasmHeap } from './heap.ts';
import { CALL_INTS, HEADER_INTS, MAX_CALLS, STOP } from './thread-protocol.ts';

/** Chunks per thread a call is cut into at least (balance), within the widths below. */
const CHUNKS_PER_THREAD = 4;
const MIN_CHUNK = 64;
const MAX_CHUNK = 512;

/** Column chunk width of a call: whole panels of 8, about CHUNKS_PER_THREAD per thread. */
function chunkWidth(n: number, threads: number): number {
  const even = Math.ceil(n / (threads * CHUNKS_PER_THREAD) / 8) * 8;
  return Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, even));
}

export class ThreadPool {
  private generation = 0;

  private constructor(
    private readonly workers: WasmThread[],
    /** Header, one done word per worker, then the call records (thread-protocol.ts). */
    private readonly control: Int32Array,
  ) {}

  get size(): number {
    return this.workers.length;
  }

  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, heap: WasmHeap, workBytes: number, count: number): Promise<ThreadPool | null> {
    const ints = HEADER_INTS + count + MAX_CALLS * CALL_INTS;
    const control = heap.alloc(ints * 4);
    // The view stays valid when the shared memory grows (its old buffers keep their bytes).
    const words = heap.i32(control, ints);
    words.fill(0);
    const workers: WasmThread[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const { thread: worker, ready } = wasmHost.spawnThread();
        worker.postMessage({ module, memory, control, index: i, workers: count, work: heap.alloc(workBytes) });
        await ready;
        workers.push(worker);
      }
    } catch {
      // No workers here (e.g. a bundle without the worker file): one thread still computes.
      for (const w of workers) w.terminate();
      return null;
    }
    return new ThreadPool(workers, words);
  }

  /** Runs the calls (at most MAX_CALLS) on this thread and the workers; returns when all are done. */
  gemm(calls: readonly GemmCall[], kernels: Kernels, work: number): void {
    const h = this.control;
    const threads = this.workers.length + 1;
    // A worker takes no chunk of a job after leaving it, so a job's records are rewritten only
    // once every worker has left the previous one (normally long ago).
    for (let w = 0; w < this.workers.length; w++) {
      for (;;) {
        const left = Atomics.load(h, HEADER_INTS + w);
        if (left === this.generation) break;
        Atomics.wait(h, HEADER_INTS + w, left);
      }
    }
    const callsAt = HEADER_INTS + this.workers.length;
    let chunks = 0;
    calls.forEach((call, i) => {
      const width = chunkWidth(call.N, threads);
      h.set([call.M, call.N, call.K, call.a, call.lda, call.b, call.ldb, call.kind, call.bRowsAreN ? 1 : 0, call.c, call.ldc, call.bias, 0, call.N, width, chunks], callsAt + i * CALL_INTS);
      chunks += Math.ceil(call.N / width);
    });
    h[1] = 0;
    h[2] = 0;
    h[3] = chunks;
    h[4] = calls.length;
    Atomics.store(h, 0, ++this.generation);
    Atomics.notify(h, 0);
    let call = 0;
    for (;;) {
      const c = Atomics.add(h, 1, 1);
      if (c >= chunks) break;
      while (call + 1 < calls.length && h[callsAt + (call + 1) * CALL_INTS + 15] <= c) call++;
      const r = callsAt + call * CALL_INTS;
      const n0 = h[r + 12] + (c - h[r + 15]) * h[r + 14];
      const n1 = Math.min(h[r + 13], n0 + h[r + 14]);
      kernels.gemm(h[r], h[r + 1], h[r + 2], h[r + 3], h[r + 4], h[r + 5], h[r + 6], h[r + 7], h[r + 8], h[r + 9], h[r + 10], h[r + 11], n0, n1, work);
      Atomics.add(h, 2, 1);
    }
    for (;;) {
      const finished = Atomics.load(h, 2);
      if (finished === chunks) break;
      Atomics.wait(h, 2, finished);
    }
  }

  stop(): void {
    Atomics.store(this.control, 0, STOP);
    Atomics.notify(this.control, 0);
    for (const w of this.workers) w.terminate();
  }
}
