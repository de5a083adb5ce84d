/**
 * What the fast CPU backend needs from its host (Node, or a browser page or worker), behind one
 * interface so the shared runtime imports no Node built-ins. The implementation is chosen by
 * package.json's `imports` map: `#wasm-host` is host.browser.ts under the "browser" condition
 * (Vite's page and worker bundles, the browser test project, tsconfig.worker.json and
 * tsconfig.page.json) and host.node.ts otherwise (tsx, Node, the node test projects).
 */

/** A GEMM worker: a Node worker_threads Worker or a Web Worker. */
export interface WasmThread {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

export interface WasmHost {
  /**
   * Whether the engine validates `relaxedBytes` (a module using relaxed SIMD), after enabling
   * the feature where the host can (Node 20's V8 ships it behind a flag).
   */
  relaxedSimdSupported(relaxedBytes: Uint8Array<ArrayBuffer>): Promise<boolean>;
  /** Hardware threads this process may use. */
  hardwareThreads(): Promise<number>;
  /** Starts one GEMM worker (thread-worker.mjs or thread-worker.node.mjs); `ready` settles on its first message. */
  spawnThread(): { thread: WasmThread; ready: Promise<void> };
}
