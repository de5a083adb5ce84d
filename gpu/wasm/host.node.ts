/** The fast CPU backend's host under Node (see host.ts): V8 flags, os and worker_threads. */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { WasmHost } from './host.ts';

export const wasmHost: WasmHost = {
  async relaxedSimdSupported(relaxedBytes) {
    if (WebAssembly.validate(relaxedBytes)) return true;
    // The V8 of Node 20 implements relaxed SIMD completely but ships it behind this flag (on by
    // default from V8 11.4 / Node 22). Flags set at run time apply to modules compiled afterwards.
    setFlagsFromString('--experimental-wasm-relaxed-simd');
    return WebAssembly.validate(relaxedBytes);
  },

  async hardwareThreads() {
    return availableParallelism();
  },

  spawnThread() {
    const thread = new Worker(new URL('./thread-worker.node.mjs', import.meta.url));
    thread.unref(); // an idle pool must not keep the process alive
    const ready = new Promise<void>((resolve, reject) => {
      thread.once('message', () => resolve());
      thread.once('error', reject);
    });
    return { thread, ready };
  },
};
