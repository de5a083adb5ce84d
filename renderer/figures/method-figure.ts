/**
 * A registry method's view (analysis/registry/views.ts) drawn by the one figure layer
 * (notebooks/figures/plotly.ts), as the app's figure spec: the same Plotly JSON the notebooks'
 * report and the CLI export draw, typed as Plotly's own spec.
 */
import type { FigureType, View } from '../../analysis/registry/views.ts';
import type { FigureOptions } from '../../notebooks/figures/options.ts';
import { toPlotly } from '../../notebooks/figures/plotly.ts';
import type { FigureSpec } from './spec.ts';

export function methodFigure(view: View, type: FigureType, options: FigureOptions = {}): FigureSpec {
  return toPlotly(view, type, options) as unknown as FigureSpec;
}
