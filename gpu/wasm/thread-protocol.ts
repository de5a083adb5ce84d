/**
 * The shared control block of the GEMM worker pool (Int32 words in the WebAssembly memory),
 * shared by threads.ts and thread-serve.mjs (which repeats these numbers: it runs without
 * TypeScript). A job is a list of GEMM calls whose column ranges are cut into chunks; every
 * thread (the caller and the workers) claims chunks from one counter until none are left, so a
 * worker that wakes late or runs slower simply computes fewer chunks.
 *   header, HEADER_INTS words:
 *     [0] generation: the caller bumps it to start a job; STOP ends the workers
 *     [1] next chunk to claim      [2] chunks finished      [3] chunks in the job
 *     [4] calls in the job
 *   then one done word per worker: the generation it last left (it takes no chunk after that)
 *   then MAX_CALLS call records of CALL_INTS words:
 *     [0..13] the gemm arguments M, N, K, a, lda, b, ldb, kind, bRowsAreN, c, ldc, bias, n0, n1
 *     [14] chunk width in columns   [15] index of the call's first chunk in the job
 */
export const HEADER_INTS = 8;
export const CALL_INTS = 16;
export const MAX_CALLS = 256;
export const STOP = -1;
