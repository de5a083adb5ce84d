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

/** How a tensor's elements are stored: f32, or 16-bit pairs packed in u32 words. */
export type StorageKind = 'f32' | 'f16' | 'bf16';

/** The `*_KIND` override value the kernels use to decode a storage kind. */
export const ELEMENT_KIND: Readonly<Record<StorageKind, number>> = { f32: 0, f16: 1, bf16: 2 };
