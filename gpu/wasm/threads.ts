/**
 * GEMM worker threads: each instantiates the kernels on the same shared memory and waits on its
 * slot of a control block in that memory. A GEMM splits its columns (N, in whole 8-column panels)
 * between the calling thread and the workers; the caller runs its share, then waits for theirs
 * with Atomics.wait. Node: worker_threads; browsers: Web Workers (cross-origin isolated only,
 * since shared memory needs it).
 */
import type { GemmCall, Kernels } from './runtime.ts';
import type { WasmHeap } from './heap.ts';
import { SLOT_INTS, STOP } from './thread-protocol.ts';

interface AnyWorker {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

async function spawn(): Promise<{ worker: AnyWorker; ready: Promise<void> }> {
  const url = new URL('./thread-worker.mjs', import.meta.url);
  if (typeof process !== 'undefined' && process.versions?.node && typeof window === 'undefined') {
    const { Worker } = await import('node:worker_threads');
    const worker = new Worker(url);
    worker.unref(); // an idle pool must not keep the process alive
    const ready = new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    return { worker, ready };
  }
  const worker = new Worker(new URL('./thread-worker.mjs', import.meta.url), { type: 'module' });
  const ready = new Promise<void>((resolve, reject) => {
    worker.addEventListener('message', () => resolve(), { once: true });
    worker.addEventListener('error', (e) => reject(new Error(`wasm GEMM worker failed to start: ${e.message}`)), { once: true });
  });
  return { worker, ready };
}

export class ThreadPool {
  private generation = 0;

  private constructor(
    private readonly workers: AnyWorker[],
    private readonly slots: Int32Array[],
  ) {}

  get size(): number {
    return this.workers.length;
  }

  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, heap: WasmHeap, workBytes: number, count: number): Promise<ThreadPool | null> {
    const control = heap.alloc(count * SLOT_INTS * 4);
    const workers: AnyWorker[] = [];
    const slots: Int32Array[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const slot = control + i * SLOT_INTS * 4;
        // The views stay valid when the shared memory grows (its old buffers keep their bytes).
        slots.push(heap.i32(slot, SLOT_INTS));
        const { worker, ready } = await spawn();
        worker.postMessage({ module, memory, slot, work: heap.alloc(workBytes) });
        await ready;
        workers.push(worker);
      }
    } catch {
      // No workers here (e.g. a bundle without the worker file): one thread still computes.
      for (const w of workers) w.terminate();
      return null;
    }
    return new ThreadPool(workers, slots);
  }

  gemm(call: GemmCall, kernels: Kernels, work: number): void {
    const { M, N, K } = call;
    const parts = this.workers.length + 1;
    const chunk = Math.ceil(N / parts / 8) * 8;
    const gen = ++this.generation;
    const busy: Int32Array[] = [];
    for (let w = 0; w < this.workers.length; w++) {
      const n0 = (w + 1) * chunk;
      if (n0 >= N) break;
      const s = this.slots[w];
      s.set([M, N, K, call.a, call.lda, call.b, call.ldb, call.kind, call.bRowsAreN ? 1 : 0, call.c, call.ldc, call.bias, n0, Math.min(N, n0 + chunk)], 2);
      Atomics.store(s, 0, gen);
      Atomics.notify(s, 0);
      busy.push(s);
    }
    kernels.gemm(M, N, K, call.a, call.lda, call.b, call.ldb, call.kind, call.bRowsAreN ? 1 : 0, call.c, call.ldc, call.bias, 0, Math.min(N, chunk), work);
    for (const s of busy) {
      for (;;) {
        const done = Atomics.load(s, 1);
        if (done === gen) break;
        Atomics.wait(s, 1, done);
      }
    }
  }

  stop(): void {
    for (let w = 0; w < this.workers.length; w++) {
      Atomics.store(this.slots[w], 0, STOP);
      Atomics.notify(this.slots[w], 0);
      this.workers[w].terminate();
    }
  }
}
