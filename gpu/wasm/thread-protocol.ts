/**
 * The control slot a GEMM worker waits on (Int32 words in the shared memory), shared by
 * threads.ts and thread-worker.mjs (which repeats these numbers: it runs without TypeScript).
 *   [0] generation: the caller bumps it to start a job; STOP ends the worker
 *   [1] done: the worker stores the generation it finished
 *   [2..15] the gemm arguments M, N, K, a, lda, b, ldb, kind, bRowsAreN, c, ldc, bias, n0, n1
 */
export const SLOT_INTS = 16;
export const STOP = -1;
