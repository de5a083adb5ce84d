/**
 * The loop of a GEMM worker of the fast CPU backend (gpu/wasm/threads.ts), shared by the two
 * worker entry files (thread-worker.mjs for Web Workers, thread-worker.node.mjs for Node's
 * worker_threads). Plain JavaScript so Node runs it without a TypeScript loader and bundlers emit
 * it as it is. It receives the compiled kernels, the shared memory, the control block, its index
 * and its work area, then loops: wait for a new generation, claim and compute chunks of the job
 * until none are left, then record the generation as left. Layout: thread-protocol.ts.
 */
const STOP = -1;
const HEADER_INTS = 8;
const CALL_INTS = 16;
const MAX_CALLS = 256;

export function serve({ module, memory, control, index, workers, work }, reply) {
  const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const h = new Int32Array(memory.buffer, control, HEADER_INTS + workers + MAX_CALLS * CALL_INTS);
  const callsAt = HEADER_INTS + workers;
  const done = HEADER_INTS + index;
  let gen = Atomics.load(h, 0);
  reply('ready');
  for (;;) {
    Atomics.wait(h, 0, gen);
    gen = Atomics.load(h, 0);
    if (gen === STOP) return;
    const chunks = h[3];
    const calls = h[4];
    let call = 0;
    for (;;) {
      const c = Atomics.add(h, 1, 1);
      if (c >= chunks) break;
      while (call + 1 < calls && h[callsAt + (call + 1) * CALL_INTS + 15] <= c) call++;
      const r = callsAt + call * CALL_INTS;
      const n0 = h[r + 12] + (c - h[r + 15]) * h[r + 14];
      const n1 = Math.min(h[r + 13], n0 + h[r + 14]);
      kernels.gemm(h[r], h[r + 1], h[r + 2], h[r + 3], h[r + 4], h[r + 5], h[r + 6], h[r + 7], h[r + 8], h[r + 9], h[r + 10], h[r + 11], n0, n1, work);
      if (Atomics.add(h, 2, 1) + 1 === chunks) Atomics.notify(h, 2);
    }
    Atomics.store(h, done, gen);
    Atomics.notify(h, done);
  }
}
