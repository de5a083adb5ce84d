/**
 * A kernel: WGSL source, its uniform struct (binding 0) and its storage bindings (1, 2, …).
 * Launchers specialise a kernel with `override` constants; the engine caches one pipeline per
 * kernel + override values.
 */
import { UniformStruct, type UniformFields } from './uniforms.ts';

/** `read` = `var<storage, read>`, `read_write` = `var<storage, read_write>`. */
export type BindingAccess = 'read' | 'read_write';

export type OverrideValues = Readonly<Record<string, number | boolean>>;

export interface Kernel<F extends UniformFields> {
  readonly name: string;
  readonly source: string;
  readonly params: UniformStruct<F>;
  readonly bindings: readonly BindingAccess[];
}

export function defineKernel<F extends UniformFields>(
  name: string,
  source: string,
  params: F,
  bindings: readonly BindingAccess[],
): Kernel<F> {
  return { name, source, params: new UniformStruct(params), bindings };
}

/**
 * How a tensor's elements are stored: f32, 16-bit pairs packed in u32 words, or ggml blocks
 * (Q8_0/Q4_0 bytes packed in u32 words; weights only, decoded by kernels/dequant.ts).
 */
export type StorageKind = 'f32' | 'f16' | 'bf16' | 'q8_0' | 'q4_0';

/** The `*_KIND` override value the kernels use to decode a storage kind. */
export const ELEMENT_KIND: Readonly<Record<StorageKind, number>> = { f32: 0, f16: 1, bf16: 2, q8_0: 3, q4_0: 4 };

/** ggml block layouts of the block kinds: values and bytes per block (gpu/quant.ts). */
export const BLOCK_KINDS: ReadonlyMap<StorageKind, { readonly values: number; readonly bytes: number }> = new Map([
  ['q8_0', { values: 32, bytes: 34 }],
  ['q4_0', { values: 32, bytes: 18 }],
]);

export function isBlockKind(kind: StorageKind): boolean {
  return BLOCK_KINDS.has(kind);
}
