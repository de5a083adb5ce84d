/**
 * The kernels' runtime: picks the module variant the engine supports (relaxed-SIMD FMA or plain
 * SIMD128; shared memory where SharedArrayBuffer exists), instantiates it on one memory, and
 * runs GEMMs on the calling thread plus a pool of worker threads that share out column chunks.
 */
import { wasmHost } from '#wasm-host';
import { KERNELS } from './kernels.generated.ts';
import { WasmHeap } from './heap.ts';
import { MAX_CALLS } from './thread-protocol.ts';
import { ThreadPool } from './threads.ts';

/** The module's exports (gpu/wasm/kernels/index.ts); pointers are byte offsets. */
export interface Kernels {
  gemm(
    M: number, N: number, K: number,
    a: number, lda: number,
    b: number, ldb: number, kind: number, bRowsAreN: number,
    c: number, ldc: number,
    bias: number,
    n0: number, n1: number,
    work: number,
  ): void;
  gemmWorkBytes(): number;
  decodeRun(kind: number, row: number, start: number, count: number, dst: number): void;
  gatherRows(kind: number, table: number, ld: number, n: number, ids: number, count: number, dst: number): void;
  scaleMask(s: number, batch: number, heads: number, pos: number, kvPos: number, queryOffset: number, scale: number, keyValid: number, window: number): void;
  softmax(x: number, y: number, rows: number, n: number): void;
  unary(kind: number, x: number, y: number, n: number): void;
  normRows(x: number, y: number, rows: number, n: number, center: number, eps: number, w: number, b: number): void;
  combineInto(op: number, y: number, z: number, n: number): void;
  maxSumExpRows(x: number, y: number, rows: number, n: number): void;
}

/** One GEMM call (see gemm in gpu/wasm/kernels/gemm.ts); `ldb` in bytes. */
export interface GemmCall {
  readonly M: number;
  readonly N: number;
  readonly K: number;
  readonly a: number;
  readonly lda: number;
  readonly b: number;
  readonly ldb: number;
  readonly kind: number;
  readonly bRowsAreN: boolean;
  readonly c: number;
  readonly ldc: number;
  readonly bias: number;
}

export interface RuntimeOptions {
  /** Threads for GEMMs, this one included (default: the cores available; 1 without shared memory). */
  readonly threads?: number;
  /** Use relaxed-SIMD FMA when the engine has it (default true); false forces plain SIMD128. */
  readonly relaxed?: boolean;
}

// Below this many multiply-adds a GEMM runs on the calling thread alone: waking workers costs
// more than it saves.
const THREAD_MIN_WORK = 1 << 21;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

/** Whether this thread may block on Atomics.wait (not a browser's main thread). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

export class WasmRuntime {
  private readonly work: number;

  private constructor(
    readonly kernels: Kernels,
    readonly heap: WasmHeap,
    readonly relaxed: boolean,
    private pool: ThreadPool | null,
  ) {
    this.work = heap.alloc(kernels.gemmWorkBytes());
  }

  static async create(options: RuntimeOptions = {}): Promise<WasmRuntime> {
    const shared = sharedMemoryAvailable();
    const where = shared ? 'shared' : 'local';
    const relaxedBytes = decodeBase64(KERNELS[`relaxed-${where}`]);
    const relaxed = options.relaxed !== false && (await wasmHost.relaxedSimdSupported(relaxedBytes));
    const module = await WebAssembly.compile(relaxed ? relaxedBytes : decodeBase64(KERNELS[`simd-${where}`]));
    const memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared });
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    const kernels = instance.exports as unknown as Kernels;
    const heap = new WasmHeap(memory, 1024);
    const wanted = Math.max(1, Math.floor(options.threads ?? (await wasmHost.hardwareThreads())));
    const pool = wanted > 1 && shared && canBlock() ? await ThreadPool.start(module, memory, heap, kernels.gemmWorkBytes(), wanted - 1) : null;
    return new WasmRuntime(kernels, heap, relaxed, pool);
  }

  /** Threads a large GEMM runs on, this one included. */
  get threads(): number {
    return this.useThreads ? 1 + (this.pool?.size ?? 0) : 1;
  }

  /** Whether GEMMs use the worker threads (when there are any): off runs everything here. */
  useThreads = true;

  gemm(call: GemmCall): void {
    this.gemms([call]);
  }

  /**
   * Independent GEMMs (e.g. one per attention head) as one job: their column chunks are shared
   * out among the threads together, so many small products also use every thread.
   */
  gemms(calls: readonly GemmCall[]): void {
    let work = 0;
    for (const { M, N, K } of calls) work += M * N * K;
    if (this.pool && this.useThreads && work >= THREAD_MIN_WORK && (calls.length > 1 || calls[0].N >= 16)) {
      for (let i = 0; i < calls.length; i += MAX_CALLS) this.pool.gemm(calls.slice(i, i + MAX_CALLS), this.kernels, this.work);
      return;
    }
    for (const call of calls) {
      this.kernels.gemm(call.M, call.N, call.K, call.a, call.lda, call.b, call.ldb, call.kind, call.bRowsAreN ? 1 : 0, call.c, call.ldc, call.bias, 0, call.N, this.work);
    }
  }

  /** Stops the worker threads; the runtime keeps working on one thread. */
  close(): void {
    this.pool?.stop();
    this.pool = null;
  }
}
