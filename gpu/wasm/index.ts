/**
 * The fast CPU backend: WebAssembly SIMD kernels behind the Backend interface, falling back to
 * the reference CPU backend's ops for everything it does not accelerate (see wasm-backend.ts).
 */
import type { RuntimeOptions } from './runtime.ts';
import { WasmRuntime } from './runtime.ts';
import { WasmBackend } from './wasm-backend.ts';

export { WasmBackend } from './wasm-backend.ts';
export type { RuntimeOptions as WasmBackendOptions } from './runtime.ts';

export async function createWasmBackend(options: RuntimeOptions = {}): Promise<WasmBackend> {
  return new WasmBackend(await WasmRuntime.create(options));
}
