/**
 * Declarative interventions: plain JSON data, validated with zod, executed as backend ops on the
 * device (no read-back). Every op is expressed as `select(mask, new, old)`, so elements outside
 * the selection are untouched bit for bit and a no-op intervention leaves the logits identical.
 *
 * Definitions (METHODS.md, "Interventions"):
 *   zero      – the slice becomes 0
 *   mean      – the mean over the `reference` cache's batch and positions, or over the real (unpadded)
 *               positions of the same input; in KV-cached generation a pass sees only its own new
 *               positions, so give a `reference` there for a fixed mean
 *   resample  – the value from another input's cache (`source`)
 *   replace   – the value from a cache (`source`); the denoising patch
 *   add       – x + vector (vector along the last axis, e.g. a steering vector)
 *   scale     – x · factor
 *   uniform   – attention only: pre-softmax scores set to 0 over the causal window, so the head
 *               averages the values it may see
 */
import { z } from 'zod';
import type { Backend, Tensor } from '../../gpu/backend.ts';
import { numel, sameShape, shapeString } from '../../gpu/backend.ts';
import type { Axis, HookPoint } from './points.ts';

const Index = z.number().int().nonnegative();
const Selection = z.union([Index, z.array(Index).nonempty()]);

export const InterventionSchema = z
  .object({
    hook: z.string().min(1),
    op: z.enum(['zero', 'mean', 'resample', 'replace', 'add', 'scale', 'uniform']),
    /** Query head for q/z/result/pattern/scores, kv head for k/v. */
    head: Selection.optional(),
    /** Absolute token position (the query position for patterns and scores). */
    pos: Selection.optional(),
    /** Index along the last axis (MLP neuron, residual dimension, head dimension). */
    neuron: Selection.optional(),
    /** Batch rows; all rows when omitted. */
    batch: Selection.optional(),
    /** Name of a cache passed in RunOptions.caches (replace, resample). */
    source: z.string().optional(),
    /** Name of a cache holding the reference set for `mean`. */
    reference: z.string().optional(),
    vector: z.array(z.number()).optional(),
    factor: z.number().optional(),
  })
  .strict()
  .superRefine((iv, ctx) => {
    const need = (cond: boolean, message: string) => cond || ctx.addIssue({ code: 'custom', message });
    if (iv.op === 'add') need(iv.vector !== undefined, 'op "add" needs "vector"');
    if (iv.op === 'scale') need(iv.factor !== undefined, 'op "scale" needs "factor"');
    if (iv.op === 'replace' || iv.op === 'resample') need(iv.source !== undefined, `op "${iv.op}" needs "source" (a cache name)`);
    if (iv.op === 'uniform') {
      need(/\.attn\.hook_(attn_scores|pattern)$/.test(iv.hook), 'op "uniform" applies to attn.hook_attn_scores (or attn.hook_pattern)');
    }
  });

export type Intervention = z.infer<typeof InterventionSchema>;

/** A cached activation on the host: row-major data with its shape (batch first). */
export interface HostActivation {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}
export type ActivationCache = Record<string, HostActivation>;
/** A value usable as an intervention source: host data, or a tensor already on the backend. */
export type SourceActivation = HostActivation | Tensor;
/** Activations by hook name: a cache from an earlier run, on the host or still on the backend. */
export type SourceCache = Record<string, SourceActivation>;
/** Named caches that interventions refer to by `source` / `reference`. */
export type NamedCaches = Record<string, SourceCache>;

export function parseInterventions(data: unknown): Intervention[] {
  const parsed = z.array(InterventionSchema).safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`invalid intervention at ${first.path.join('.') || '(root)'}: ${first.message}`);
  }
  return parsed.data;
}

/** Where the tensor at a hook sits in the sequence, and which (query, key) pairs attention may use. */
export interface HookSite {
  readonly point: HookPoint;
  /** Absolute position of the tensor's first `pos` entry (non-zero during KV-cached decoding). */
  readonly posOffset: number;
  /** For attention scores/patterns: may query i (local) see key j in batch row b? */
  readonly attends?: (b: number, i: number, j: number) => boolean;
  /**
   * For attention scores/patterns: absolute key index of the tensor's first kvPos entry (> 0 when
   * a sliding-window layer's KV cache dropped keys no query can see any more).
   */
  readonly keyOffset?: number;
  /**
   * [batch, pos] of this call's tokens: 1 real, 0 left padding. Present only when some row is
   * padded, so that means over positions leave the padding out.
   */
  readonly padding?: Uint8Array;
}

function asList(sel: number | readonly number[] | undefined): readonly number[] | undefined {
  return sel === undefined ? undefined : typeof sel === 'number' ? [sel] : sel;
}

/** Role of each axis for the selection keys. */
function selectionFor(axis: Axis, iv: Intervention, site: HookSite): readonly number[] | undefined {
  switch (axis) {
    case 'batch':
      return asList(iv.batch);
    case 'pos':
      return asList(iv.pos)?.map((p) => p - site.posOffset);
    case 'head':
    case 'kvHead':
      return asList(iv.head);
    case 'neuron':
    case 'dModel':
    case 'dHead':
      return asList(iv.neuron);
    default:
      return undefined;
  }
}

/** A 0/1 mask over the full tensor; null when the selection covers everything. */
export function selectionMask(shape: readonly number[], iv: Intervention, site: HookSite): Float32Array | null {
  const { axes, name } = site.point;
  const perAxis: (Uint8Array | null)[] = axes.map((axis, d) => {
    const sel = selectionFor(axis, iv, site);
    if (sel === undefined) return null;
    const keep = new Uint8Array(shape[d]);
    for (const i of sel) {
      const absolute = axis === 'pos' ? i + site.posOffset : i;
      if (axis !== 'pos' && (i < 0 || i >= shape[d])) {
        throw new Error(`intervention on ${name}: ${axis} index ${absolute} is outside [0, ${shape[d]})`);
      }
      if (i >= 0 && i < shape[d]) keep[i] = 1;
    }
    return keep;
  });
  const usesAttends = iv.op === 'uniform' && site.attends !== undefined;
  for (const key of ['head', 'pos', 'neuron', 'batch'] as const) {
    if (iv[key] !== undefined && !axes.some((a) => selectionAxisKey(a) === key)) {
      throw new Error(`intervention on ${name}: this hook has no ${key} axis (axes: ${axes.join(', ')})`);
    }
  }
  if (perAxis.every((m) => m === null) && !usesAttends) return null;
  const mask = new Float32Array(numel(shape));
  const idx = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < mask.length; flat++) {
    let on = perAxis.every((m, d) => m === null || m[idx[d]] === 1);
    if (on && usesAttends) {
      const b = idx[axes.indexOf('batch')];
      on = site.attends!(b, idx[axes.indexOf('pos')], idx[axes.indexOf('kvPos')]);
    }
    mask[flat] = on ? 1 : 0;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return mask;
}

/** Which selection key (`head`, `pos`, `neuron`, `batch`) picks along an axis, if any. */
export function selectionAxisKey(axis: Axis): 'head' | 'pos' | 'neuron' | 'batch' | null {
  if (axis === 'batch') return 'batch';
  if (axis === 'pos') return 'pos';
  if (axis === 'head' || axis === 'kvHead') return 'head';
  if (axis === 'neuron' || axis === 'dModel' || axis === 'dHead') return 'neuron';
  return null;
}

function isTensor(v: SourceActivation): v is Tensor {
  return 'owner' in v;
}

/** The source activation for this hook, on the backend, shaped like x (sliced/broadcast as needed). */
function sourceTensor(backend: Backend, x: Tensor, iv: Intervention, cacheName: string, caches: NamedCaches | undefined, site: HookSite): Tensor {
  const where = `intervention on ${iv.hook}`;
  const named = caches?.[cacheName];
  if (!named) throw new Error(`${where}: no cache named "${cacheName}" was given`);
  const cache = named[iv.hook];
  if (!cache) throw new Error(`${where}: cache "${cacheName}" has no ${iv.hook} (capture it in the source run)`);
  let t = isTensor(cache) ? cache : backend.upload(cache.data, cache.shape);
  const posAxis = site.point.axes.indexOf('pos');
  if (site.posOffset > 0 && posAxis >= 0 && t.shape[posAxis] >= site.posOffset + x.shape[posAxis]) {
    t = backend.slice(t, posAxis, site.posOffset, site.posOffset + x.shape[posAxis]);
  }
  if (t.shape[0] === 1 && x.shape[0] > 1) t = backend.expand(t, [x.shape[0], ...t.shape.slice(1)]);
  if (!sameShape(t.shape, x.shape)) {
    throw new Error(`${where}: cache "${cacheName}" has shape ${shapeString(t.shape)}, the activation has ${shapeString(x.shape)}`);
  }
  return t;
}

function meanValue(backend: Backend, x: Tensor, iv: Intervention, caches: NamedCaches | undefined, site: HookSite): Tensor {
  const posAxis = site.point.axes.indexOf('pos');
  if (posAxis < 0) throw new Error(`intervention on ${iv.hook}: "mean" needs a pos axis`);
  if (iv.reference === undefined) {
    if (!site.padding) return backend.expand(backend.mean(x, posAxis), x.shape);
    return backend.expand(maskedMeanOverPositions(backend, x, site, posAxis), x.shape);
  }
  const named = caches?.[iv.reference];
  if (!named) throw new Error(`intervention on ${iv.hook}: no cache named "${iv.reference}" was given`);
  const cache = named[iv.hook];
  if (!cache) throw new Error(`intervention on ${iv.hook}: reference "${iv.reference}" has no ${iv.hook}`);
  const ref = isTensor(cache) ? cache : backend.upload(cache.data, cache.shape);
  const m = backend.mean(backend.mean(ref, posAxis), 0);
  const target = [...x.shape];
  if (!sameShape(m.shape.filter((_, i) => i !== 0 && i !== posAxis), target.filter((_, i) => i !== 0 && i !== posAxis))) {
    throw new Error(`intervention on ${iv.hook}: reference "${iv.reference}" has shape ${shapeString(ref.shape)}, incompatible with ${shapeString(x.shape)}`);
  }
  return backend.expand(m, target);
}

/** Mean over each row's real (unpadded) positions: Σ x·valid / Σ valid along the pos axis. */
function maskedMeanOverPositions(backend: Backend, x: Tensor, site: HookSite, posAxis: number): Tensor {
  const valid = site.padding!;
  const batchAxis = site.point.axes.indexOf('batch');
  const pos = x.shape[posAxis];
  const mask = new Float32Array(numel(x.shape));
  const idx = new Array<number>(x.shape.length).fill(0);
  for (let flat = 0; flat < mask.length; flat++) {
    mask[flat] = valid[idx[batchAxis] * pos + idx[posAxis]];
    for (let d = x.shape.length - 1; d >= 0; d--) {
      if (++idx[d] < x.shape[d]) break;
      idx[d] = 0;
    }
  }
  const sums = backend.sum(backend.mul(x, backend.upload(mask, x.shape)), posAxis);
  const counts = new Float32Array(numel(sums.shape));
  const inner = numel(sums.shape.slice(batchAxis + 1));
  for (let i = 0; i < counts.length; i++) {
    const row = Math.floor(i / inner) % x.shape[batchAxis];
    let n = 0;
    for (let p = 0; p < pos; p++) n += valid[row * pos + p];
    counts[i] = n;
  }
  return backend.div(sums, backend.upload(counts, sums.shape));
}

/** The replacement values for the selected slice (before masking). */
function newValue(backend: Backend, x: Tensor, iv: Intervention, caches: NamedCaches | undefined, site: HookSite): Tensor {
  switch (iv.op) {
    case 'zero':
    case 'uniform':
      return backend.fill(x.shape, 0);
    case 'scale':
      return backend.scale(x, iv.factor!);
    case 'add': {
      const last = x.shape[x.shape.length - 1];
      if (iv.vector!.length !== last) {
        throw new Error(`intervention on ${iv.hook}: vector has ${iv.vector!.length} entries, the last axis has ${last}`);
      }
      return backend.add(x, backend.upload(Float32Array.from(iv.vector!), [last]));
    }
    case 'mean':
      return meanValue(backend, x, iv, caches, site);
    case 'replace':
    case 'resample':
      return sourceTensor(backend, x, iv, iv.source!, caches, site);
  }
}

export function applyIntervention(backend: Backend, x: Tensor, iv: Intervention, caches: NamedCaches | undefined, site: HookSite): Tensor {
  const value = newValue(backend, x, iv, caches, site);
  const mask = selectionMask(x.shape, iv, site);
  if (mask === null) return value;
  return backend.select(backend.upload(mask, x.shape), value, x);
}
