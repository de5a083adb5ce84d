/** Launcher for score_window.wgsl: sliding-window mask and score softcap after attentionScores. */
import { numel } from '../../backend.ts';
import { defineKernel } from '../kernel.ts';
import type { Context, GpuTensor } from '../tensor.ts';
import math from './math.wgsl?raw';
import source from './score_window.wgsl?raw';

export const scoreWindowKernel = defineKernel(
  'score_window',
  math + source,
  { count: 'u32', pos: 'u32', kv_pos: 'u32', query_offset: 'u32', window: 'u32', softcap: 'f32', neg_inf: 'f32' },
  ['read', 'read_write'],
);

const WG = 256;

/** scores [batch, head, pos, kvPos] → windowed and/or soft-capped copy. */
export function scoreWindow(ctx: Context, scores: GpuTensor, queryOffset: number, window: number | undefined, softcap: number | undefined): GpuTensor {
  if (window !== undefined && !(Number.isInteger(window) && window > 0)) throw new Error(`attentionScores: window ${window} must be a positive integer`);
  if (softcap !== undefined && !(softcap > 0)) throw new Error(`attentionScores: softcap ${softcap} must be positive`);
  const [, , pos, kvPos] = scores.shape;
  const input = ctx.f32(scores, 'score window');
  const out = ctx.output(scores.shape, 'score window output');
  const count = numel(scores.shape);
  ctx.engine.dispatch(scoreWindowKernel, {
    overrides: { WG },
    params: { count, pos, kv_pos: kvPos, query_offset: queryOffset, window: window ?? 0, softcap: softcap ?? 0, neg_inf: -Infinity },
    buffers: [input.buffer, ctx.buffer(out)],
    workgroups: ctx.engine.grid(Math.ceil(count / WG)),
  });
  input.done();
  return out;
}
