/**
 * Reading dictionary tensors from safetensors files: every tensor is checked for its expected
 * shape (the message names the file and tensor) and widened to f32 on the host, where loaders
 * transpose what a format stores the other way round.
 */
import type { HostWeight } from '../../gpu/backend.ts';
import { shapeString } from '../../gpu/backend.ts';
import { toFloat32 } from '../../gpu/dtype.ts';
import { ModelFormatError } from '../formats/errors.ts';
import { SafetensorsCheckpoint } from '../formats/safetensors.ts';
import type { ModelSource } from '../formats/source.ts';

/** One safetensors file of a dictionary, opened (header only). */
export class DictionaryFile {
  private constructor(
    private readonly checkpoint: SafetensorsCheckpoint,
    /** For messages: "sae_weights.safetensors (folder)". */
    readonly where: string,
  ) {}

  static async open(source: ModelSource, file: string): Promise<DictionaryFile> {
    if (!(await source.has(file))) throw new ModelFormatError(`${source.label}: ${file} not found`);
    return new DictionaryFile(await SafetensorsCheckpoint.openFile(source, file), `${file} (${source.label})`);
  }

  has(name: string): boolean {
    return this.checkpoint.has(name);
  }

  /** The stored shape of a tensor; throws naming the tensor when it is missing. */
  shape(name: string): readonly number[] {
    return this.checkpoint.entry(name).shape;
  }

  /** Reads a tensor as F32, checking its rank and (where given, non-negative) sizes. */
  async read(name: string, expected: readonly number[]): Promise<HostWeight> {
    const weight = await this.checkpoint.read(name);
    checkShape(this.where, name, weight.shape, expected);
    return { name, dtype: 'F32', shape: [...weight.shape], data: toFloat32(weight) };
  }

  /** Like `read` but null when the file has no such tensor. */
  async readOptional(name: string, expected: readonly number[]): Promise<HostWeight | null> {
    return this.has(name) ? this.read(name, expected) : null;
  }
}

/** `expected` entries of −1 accept any size. */
export function checkShape(where: string, name: string, shape: readonly number[], expected: readonly number[]): void {
  const ok = shape.length === expected.length && expected.every((e, i) => e < 0 || e === shape[i]);
  if (!ok) {
    const want = shapeString(expected.map((e) => (e < 0 ? Number.NaN : e))).replace(/NaN/g, '*');
    throw new ModelFormatError(`${where}: tensor "${name}" has shape ${shapeString(shape)}, expected ${want}`);
  }
}

/** The transpose of a 2-D F32 weight, under a new name. */
export function transposed(weight: HostWeight, name = weight.name): HostWeight {
  const [rows, cols] = weight.shape;
  const src = weight.data as Float32Array;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c];
  return { name, dtype: 'F32', shape: [cols, rows], data: out };
}
