/**
 * The colour scales of every figure (the app's views, notebook figures, their reports and image
 * exports). Signed values use one diverging scale centred on 0 (ColorBrewer RdBu reversed:
 * negative blue, positive red; colour-blind safe), with symmetric limits so white means 0.
 * Unsigned values (attention, probability, norms) use one white-to-blue sequential scale.
 */
import type { ColorScale } from 'plotly.js-dist-min';

function evenly(colors: readonly string[]): ColorScale {
  return colors.map((c, i) => [i / (colors.length - 1), c] as [number, string]);
}

export const DIVERGING: ColorScale = evenly([
  '#053061', '#2166ac', '#4393c3', '#92c5de', '#d1e5f0', '#f7f7f7', '#fddbc7', '#f4a582', '#d6604d', '#b2182b', '#67001f',
]);

export const SEQUENTIAL: ColorScale = evenly(['#ffffff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b']);

/** Sequential, dark for small values (ranks: rank 0 is the strongest). */
export const SEQUENTIAL_REVERSED: ColorScale = evenly(['#08306b', '#08519c', '#2171b5', '#4292c6', '#6baed6', '#9ecae1', '#c6dbef', '#deebf7', '#ffffff']);

/** Symmetric limits around 0 for a diverging scale (1 when everything is 0). */
export function symmetricLimits(values: Iterable<number>): { zmin: number; zmid: number; zmax: number } {
  let m = 0;
  for (const v of values) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  if (m === 0) m = 1;
  return { zmin: -m, zmid: 0, zmax: m };
}
