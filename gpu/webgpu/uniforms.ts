/**
 * A kernel's uniform struct, defined once on the host. The WGSL `struct Params` of the kernel
 * lists the same fields in the same order (a test checks every kernel); offsets follow WGSL's
 * uniform layout rules: scalars align to 4 bytes, `array<vec4<u32>, N>` to 16.
 */

export type ScalarType = 'u32' | 'i32' | 'f32';
/** Up to 4·N u32 values packed in vec4s (uniform arrays need a 16-byte element stride). */
export type PackedArrayType = `array<vec4<u32>, ${number}>`;
export type FieldType = ScalarType | PackedArrayType;
export type UniformFields = Readonly<Record<string, FieldType>>;

export type UniformValues<F extends UniformFields> = {
  readonly [K in keyof F]: F[K] extends ScalarType ? number : readonly number[];
};

interface Slot {
  readonly name: string;
  readonly type: FieldType;
  readonly offset: number;
  /** Number of u32 slots for arrays, 1 for scalars. */
  readonly count: number;
}

export class UniformStruct<F extends UniformFields> {
  readonly byteSize: number;
  private readonly slots: readonly Slot[];

  constructor(readonly fields: F) {
    const slots: Slot[] = [];
    let offset = 0;
    for (const [name, type] of Object.entries(fields)) {
      const arrayLength = packedArrayLength(type);
      if (arrayLength === undefined) {
        slots.push({ name, type, offset, count: 1 });
        offset += 4;
      } else {
        offset = alignUp(offset, 16);
        slots.push({ name, type, offset, count: 4 * arrayLength });
        offset += 16 * arrayLength;
      }
    }
    this.slots = slots;
    this.byteSize = Math.max(16, alignUp(offset, 16));
  }

  /** `name: type` per field in declaration order, the form a test compares with the WGSL. */
  get declaration(): readonly string[] {
    return this.slots.map((s) => `${s.name}: ${s.type}`);
  }

  write(view: DataView, base: number, values: UniformValues<F>): void {
    const record = values as Readonly<Record<string, number | readonly number[]>>;
    for (const slot of this.slots) {
      const value = record[slot.name];
      if (value === undefined) throw new Error(`uniform field '${slot.name}' missing`);
      const at = base + slot.offset;
      if (typeof value === 'number') {
        writeScalar(view, at, slot.type as ScalarType, value, slot.name);
      } else {
        if (value.length > slot.count) {
          throw new Error(`uniform field '${slot.name}' holds at most ${slot.count} values, got ${value.length}`);
        }
        for (let i = 0; i < slot.count; i++) writeScalar(view, at + 4 * i, 'u32', value[i] ?? 0, slot.name);
      }
    }
  }
}

function writeScalar(view: DataView, at: number, type: ScalarType, value: number, name: string): void {
  if (type === 'f32') {
    view.setFloat32(at, value, true);
    return;
  }
  const limit = type === 'u32' ? [0, 0xffffffff] : [-0x80000000, 0x7fffffff];
  if (!Number.isInteger(value) || value < limit[0] || value > limit[1]) {
    throw new Error(`uniform field '${name}' (${type}) cannot hold ${value}`);
  }
  if (type === 'u32') view.setUint32(at, value, true);
  else view.setInt32(at, value, true);
}

function packedArrayLength(type: FieldType): number | undefined {
  const match = /^array<vec4<u32>, (\d+)>$/.exec(type);
  return match ? Number(match[1]) : undefined;
}

export function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}
