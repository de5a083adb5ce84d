// AssemblyScript entry: the fast CPU backend's WebAssembly kernels. Pointer-and-size functions
// over an imported memory whose allocation is managed from JavaScript (gpu/wasm/memory.ts); no
// runtime, no static data, so every thread can instantiate it on the same shared memory.
export { gemm, gemmWorkBytes } from './gemm';
export { decodeRun, gatherRows } from './decode';
export { combineInto, maxSumExpRows, normRows, scaleMask, softmax, unary } from './ops';
