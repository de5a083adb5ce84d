/**
 * Launcher for gather.wgsl: rows of an embedding table. Tables over the binding limit arrive
 * split by rows; ids are grouped by chunk on the host and each chunk gets one dispatch.
 */
import { shapeString } from '../../backend.ts';
import { defineKernel, ELEMENT_KIND } from '../kernel.ts';
import type { Context, GpuTensor } from '../tensor.ts';
import blocks from './blocks.wgsl?raw';
import source from './gather.wgsl?raw';

export const gatherKernel = defineKernel('gather', blocks + source, { count: 'u32', d: 'u32' }, ['read', 'read', 'read_write']);

const WG = 256;

export function gather(ctx: Context, table: GpuTensor, ids: Int32Array): GpuTensor {
  if (table.shape.length !== 2) throw new Error(`gather: table must be [vocab, d], got ${shapeString(table.shape)}`);
  const [vocab, d] = table.shape;
  ids.forEach((id, i) => {
    if (!(id >= 0 && id < vocab)) throw new RangeError(`gather: id ${id} at ${i} is outside the table's ${vocab} rows`);
  });
  const chunks = ctx.rowChunks(table, d, 'gather');
  const out = ctx.output([ids.length, d], 'gather output');
  const kind = table.storage.kind;
  for (const chunk of chunks) {
    const pairs: number[] = [];
    ids.forEach((id, i) => {
      if (id >= chunk.first && id < chunk.first + chunk.rows) pairs.push(i, id - chunk.first);
    });
    if (pairs.length === 0) continue;
    const list = ctx.scratch(new Uint32Array(pairs), 'gather rows');
    const count = (pairs.length / 2) * d;
    ctx.engine.dispatch(gatherKernel, {
      overrides: { KIND: ELEMENT_KIND[kind], WG },
      params: { count, d },
      buffers: [list.buffer, chunk.buffer, ctx.buffer(out)],
      workgroups: ctx.engine.grid(Math.ceil(count / WG)),
    });
    list.done();
  }
  return out;
}
