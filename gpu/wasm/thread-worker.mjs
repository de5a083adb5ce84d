/**
 * A GEMM worker of the fast CPU backend (gpu/wasm/threads.ts). Plain JavaScript so Node runs it
 * without a TypeScript loader and bundlers emit it as it is. It receives the compiled kernels,
 * the shared memory, its control slot and its work area, then loops: wait for a new generation,
 * run its columns of the GEMM, store the generation as done. Slot layout: thread-protocol.ts.
 */
const STOP = -1;
const SLOT_INTS = 16;

function serve({ module, memory, slot, work }, reply) {
  const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const s = new Int32Array(memory.buffer, slot, SLOT_INTS);
  let gen = Atomics.load(s, 0);
  reply('ready');
  for (;;) {
    Atomics.wait(s, 0, gen);
    gen = Atomics.load(s, 0);
    if (gen === STOP) return;
    kernels.gemm(s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11], s[12], s[13], s[14], s[15], work);
    Atomics.store(s, 1, gen);
    Atomics.notify(s, 1);
  }
}

if (typeof process !== 'undefined' && process.versions?.node && typeof self === 'undefined') {
  const { parentPort } = await import('node:worker_threads');
  parentPort.once('message', (init) => serve(init, (m) => parentPort.postMessage(m)));
} else {
  self.addEventListener('message', (e) => serve(e.data, (m) => self.postMessage(m)), { once: true });
}
