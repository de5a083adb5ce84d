/**
 * What one activation-patching sweep patches: the hook at each layer and the grid of cells
 * (layer × position, layer × position × head, …), each cell one patched run. Also the
 * declarative `replace` intervention that performs a cell's patch. `features` patches the
 * feature activations (and error terms) of the dictionaries attached to the model; its grid is
 * built from the model (feature-patch-cells.ts), each cell naming its own hook.
 */
import type { Intervention } from '../hooks/interventions.ts';
import { hook } from '../hooks/points.ts';
import type { ModelSpec } from '../model/spec.ts';

export const RESID_HOOKS = ['resid_pre', 'resid_mid', 'resid_post', 'attn_out', 'mlp_out'] as const;
export const HEAD_HOOKS = ['z', 'q', 'k', 'v'] as const;
export type ResidHook = (typeof RESID_HOOKS)[number];
export type HeadHook = (typeof HEAD_HOOKS)[number];
export type PatchHook = ResidHook | HeadHook | 'pattern' | 'features';
export const PATCH_HOOKS: readonly PatchHook[] = [...RESID_HOOKS, ...HEAD_HOOKS, 'pattern', 'features'];

/** `dictionary`: the attached dictionaries in forward order; `feature`: a feature id (d_sae: the error term). */
export type GridAxis = 'layer' | 'pos' | 'head' | 'dictionary' | 'feature';

/**
 * One patched run: the hook at `layer`, restricted to `pos` and `head` when given. A cell with its
 * own `hook` patches that hook (the sweep restarts at `layer`, the block holding it); `feature`
 * selects one index of its last axis (a dictionary feature).
 */
export interface PatchCell {
  readonly layer: number;
  readonly pos?: number;
  /** Query head for z/q/pattern, kv head for k/v (GQA models have fewer). */
  readonly head?: number;
  readonly hook?: string;
  readonly feature?: number;
}

const FEATURES_NEED_DICTIONARIES = 'hook features: patching feature activations needs dictionaries attached to the model (params.dictionaries)';

export interface PatchGrid {
  readonly axes: readonly GridAxis[];
  readonly shape: readonly number[];
  /** Cells in row-major order over `axes`. */
  readonly cells: readonly PatchCell[];
}

/** Name of the cache a cell's `replace` intervention reads from. */
export const PATCH_SOURCE = 'patch_source';

export function patchHookName(spec: ModelSpec, which: PatchHook, layer: number): string {
  switch (which) {
    case 'features':
      throw new Error(FEATURES_NEED_DICTIONARIES);
    case 'resid_pre':
      return hook.residPre(layer);
    case 'resid_mid':
      if (spec.parallelResidual) {
        throw new Error('hook resid_mid: parallel-residual blocks (GPT-NeoX) have no resid_mid; patch resid_pre, attn_out or mlp_out');
      }
      return hook.residMid(layer);
    case 'resid_post':
      return hook.residPost(layer);
    case 'attn_out':
      return hook.attnOut(layer);
    case 'mlp_out':
      return hook.mlpOut(layer);
    case 'z':
      return hook.z(layer);
    case 'q':
      return hook.q(layer);
    case 'k':
      return hook.k(layer);
    case 'v':
      return hook.v(layer);
    case 'pattern':
      return hook.pattern(layer);
  }
}

/** Heads along the head axis of `which`: kv heads for k and v. */
export function headCount(spec: ModelSpec, which: PatchHook): number {
  return which === 'k' || which === 'v' ? spec.nKvHeads : spec.nHeads;
}

/**
 * The cells of a sweep. Residual-type hooks: [layer, pos], or [layer] (all positions at once)
 * with byPosition false. Head hooks: [layer, pos, head] or [layer, head]. pattern: [layer, head].
 */
export function sweepGrid(spec: ModelSpec, which: PatchHook, byPosition: boolean, nPos: number): PatchGrid {
  if (!PATCH_HOOKS.includes(which)) throw new Error(`hook "${String(which)}" is not one of ${PATCH_HOOKS.join(', ')}`);
  if (which === 'features') throw new Error(FEATURES_NEED_DICTIONARIES);
  if (which === 'pattern' && byPosition) throw new Error('hook pattern: patterns are patched per [layer, head] over all positions (byPosition false)');
  patchHookName(spec, which, 0); // fails early for hooks this architecture lacks
  const L = spec.nLayers;
  const cells: PatchCell[] = [];
  const heads = (RESID_HOOKS as readonly string[]).includes(which) ? 0 : headCount(spec, which);
  for (let layer = 0; layer < L; layer++) {
    const positions = byPosition ? Array.from({ length: nPos }, (_, p) => p) : [undefined];
    for (const pos of positions) {
      if (heads === 0) cells.push({ layer, pos });
      else for (let head = 0; head < heads; head++) cells.push({ layer, pos, head });
    }
  }
  const axes: GridAxis[] = ['layer', ...(byPosition ? (['pos'] as const) : []), ...(heads > 0 ? (['head'] as const) : [])];
  const shape = axes.map((a) => (a === 'layer' ? L : a === 'pos' ? nPos : heads));
  return { axes, shape, cells };
}

/** The `replace` intervention patching `cell` from the cache PATCH_SOURCE (in batch row `row` if given). */
export function cellIntervention(hookName: string, cell: PatchCell, row?: number): Intervention {
  return {
    hook: hookName,
    op: 'replace',
    source: PATCH_SOURCE,
    ...(cell.pos !== undefined ? { pos: cell.pos } : {}),
    ...(cell.head !== undefined ? { head: cell.head } : {}),
    ...(cell.feature !== undefined ? { neuron: cell.feature } : {}),
    ...(row !== undefined ? { batch: row } : {}),
  };
}

/** The hook a cell patches: its own, or `which` at its layer. */
export function cellHook(spec: ModelSpec, which: PatchHook, cell: PatchCell): string {
  return cell.hook ?? patchHookName(spec, which, cell.layer);
}

/** Row-major flat data as nested arrays of `shape` (for JSON output). */
export function nested(data: ArrayLike<number>, shape: readonly number[]): unknown[] {
  const build = (offset: number, axis: number): unknown[] => {
    const stride = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: shape[axis] }, (_, i) =>
      axis === shape.length - 1 ? data[offset + i] : build(offset + i * stride, axis + 1),
    );
  };
  return build(0, 0);
}
