/** The fast CPU backend's host in a browser page or worker (see host.ts): Web Workers. */
import type { WasmHost } from './host.ts';

export const wasmHost: WasmHost = {
  async relaxedSimdSupported(relaxedBytes) {
    return WebAssembly.validate(relaxedBytes);
  },

  async hardwareThreads() {
    return navigator.hardwareConcurrency || 1;
  },

  spawnThread() {
    // Written out in full so Vite bundles thread-worker.mjs as a worker of its own.
    const thread = new Worker(new URL('./thread-worker.mjs', import.meta.url), { type: 'module' });
    const ready = new Promise<void>((resolve, reject) => {
      thread.addEventListener('message', () => resolve(), { once: true });
      thread.addEventListener('error', (e) => reject(new Error(`wasm GEMM worker failed to start: ${e.message}`)), { once: true });
    });
    return { thread, ready };
  },
};
