/**
 * Patching-style results ([layer], [layer, pos], [layer, head], [layer, pos, head], row-major)
 * as 2-D grids: rows are layers (layer × head for three axes), columns positions or heads.
 * Position labels show the clean token and, where it differs, the corrupted one ("13: Lily / Tim").
 * `patchGridByHead` condenses a [layer, pos, head] sweep to one layer × head grid. Feature sweeps
 * ([dictionary, feature], [dictionary, pos, feature]) have one row per dictionary (and position)
 * and one column per feature, the last the error term (or the reconstruction, without one).
 */
import { visibleToken } from '../formats/token-label.ts';
import type { GridView } from './views.ts';
import { rangeLabels } from './views.ts';

/** A feature sweep's axes: the dictionaries (their output hooks) and what the last feature column patches. */
export type FeatureAxes = { dictionaries: string[]; lastColumn: 'error' | 'recons' };

/** A result's `features` field, present only for feature sweeps. */
export function featureAxesJson(f: { readonly dictionaries: readonly string[]; readonly lastColumn: 'error' | 'recons' } | undefined): { features?: FeatureAxes } {
  return f ? { features: { dictionaries: [...f.dictionaries], lastColumn: f.lastColumn } } : {};
}

export type PatchGridMeta = {
  axes: string[];
  shape: number[];
  cleanTokens: string[];
  corruptedTokens: string[];
  features?: FeatureAxes;
};

/** Row and column labels of every cell in row-major order, e.g. "L2 · 13: Lily / Tim". */
export function patchCellLabels(r: PatchGridMeta): string[] {
  const g = patchGrid(r, new Array<number | null>(r.shape.reduce((a, b) => a * b, 1)).fill(null), '', '');
  return g.y.labels.flatMap((y) => g.x.labels.map((x) => `${y} · ${x}`));
}

export function patchGrid(r: PatchGridMeta, values: readonly (number | null)[], title: string, zTitle: string): GridView {
  const posLabels = r.cleanTokens.map((t, p) => `${p}: ${visibleToken(t)}${r.corruptedTokens[p] !== t ? ` / ${visibleToken(r.corruptedTokens[p])}` : ''}`);
  const [L, A, B] = r.shape;
  const layerLabels = rangeLabels(L, 'L');
  const axes = r.axes.join(',');
  const base = { kind: 'grid' as const, title, zTitle, signed: true };
  if (r.features && r.axes[0] === 'dictionary') {
    const width = r.shape[r.shape.length - 1];
    const x = { title: 'feature', labels: [...rangeLabels(width - 1, 'f'), r.features.lastColumn] };
    const rowLabels = axes === 'dictionary,feature' ? r.features.dictionaries : r.features.dictionaries.flatMap((d) => posLabels.map((p) => `${d} · ${p}`));
    return { ...base, x, y: { title: axes === 'dictionary,feature' ? 'dictionary' : 'dictionary · position', labels: rowLabels }, z: rowLabels.map((_, i) => values.slice(i * width, (i + 1) * width)) };
  }
  if (axes === 'layer') return { ...base, x: { title: 'slice', labels: ['all positions'] }, y: { title: 'layer', labels: layerLabels }, z: values.map((v) => [v]) };
  if (axes === 'layer,pos' || axes === 'layer,head') {
    const x = axes === 'layer,pos' ? { title: 'position', labels: posLabels } : { title: 'head', labels: rangeLabels(A, 'H') };
    return { ...base, x, y: { title: 'layer', labels: layerLabels }, z: layerLabels.map((_, l) => values.slice(l * A, (l + 1) * A)) };
  }
  // [layer, pos, head]: one row per (layer, head), positions across.
  const rows = Array.from({ length: L * B }, (_, i) => ({ l: Math.floor(i / B), h: i % B }));
  return {
    ...base,
    x: { title: 'position', labels: posLabels },
    y: { title: 'head', labels: rows.map(({ l, h }) => `L${l}H${h}`) },
    z: rows.map(({ l, h }) => Array.from({ length: A }, (_, p) => values[(l * A + p) * B + h])),
  };
}

/**
 * A [layer, pos, head] sweep as a layer × head grid: each head's signed value of largest
 * magnitude over positions (the positions of one head are a row of `patchGrid`). Other shapes
 * are drawn as `patchGrid` draws them.
 */
export function patchGridByHead(r: PatchGridMeta, values: readonly (number | null)[], title: string, zTitle: string, range?: readonly [number, number]): GridView {
  if (r.axes.join(',') !== 'layer,pos,head') return { ...patchGrid(r, values, title, zTitle), ...(range ? { range } : {}) };
  const [L, P, H] = r.shape;
  const z = Array.from({ length: L }, (_, l) =>
    Array.from({ length: H }, (_, h) => {
      let best: number | null = null;
      for (let p = 0; p < P; p++) {
        const v = values[(l * P + p) * H + h];
        if (v !== null && (best === null || Math.abs(v) > Math.abs(best))) best = v;
      }
      return best;
    }),
  );
  return {
    kind: 'grid',
    title: `${title}, largest |value| over positions`,
    x: { title: 'head', labels: rangeLabels(H, 'H') },
    y: { title: 'layer', labels: rangeLabels(L, 'L') },
    z,
    zTitle,
    signed: true,
    ...(range ? { range } : {}),
  };
}

/** Symmetric colour limits [−m, m] over every value given (m = 1 when all are 0 or null). */
export function symmetricRange(...grids: readonly (readonly (number | null)[])[]): [number, number] {
  let m = 0;
  for (const g of grids) for (const v of g) if (v !== null && Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m === 0 ? [-1, 1] : [-m, m];
}
