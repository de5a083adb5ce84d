/**
 * A registry method's view (analysis/registry/views.ts) drawn by the one figure layer
 * (notebooks/figures/plotly.ts), as the app's figure spec: the same Plotly JSON the notebooks'
 * report and the CLI export draw, typed as Plotly's own spec. The app's interactions are layered
 * on that spec (figure-interactions.ts), never built into a second chart builder.
 */
import type { Json } from '../../analysis/json.ts';
import type { RegisteredMethod } from '../../analysis/registry/contract.ts';
import type { FigureType, View } from '../../analysis/registry/views.ts';
import { FIGURE_TYPES_FOR } from '../../analysis/registry/views.ts';
import type { FigureOptions } from '../../notebooks/figures/options.ts';
import { toPlotly } from '../../notebooks/figures/plotly.ts';
import type { FigureSpec } from './spec.ts';

export function methodFigure(view: View, type: FigureType, options: FigureOptions = {}): FigureSpec {
  return toPlotly(view, type, options) as unknown as FigureSpec;
}

/** Which view of a method's result, drawn how: what a notebook figure cell names too. */
export interface ViewFigureChoice {
  readonly view: string;
  /** Default: the first figure type the view's kind can be drawn as (heatmap for grids, bar for series). */
  readonly type?: FigureType;
  readonly options?: FigureOptions;
}

export interface ViewFigure {
  readonly view: View;
  readonly type: FigureType;
  readonly spec: FigureSpec;
}

/**
 * The figure every app view draws for a method result: the method's named view drawn by
 * `toPlotly`, as a notebook figure cell draws it (notebooks/figures/render.ts), so the app and
 * the notebook report embed the same Plotly data and layout for the same result, view, type and
 * options (test/figure-parity.test.ts).
 */
export function methodViewFigure(method: RegisteredMethod, result: Json, choice: ViewFigureChoice): ViewFigure {
  const kind = method.views[choice.view];
  if (kind === undefined || !Object.hasOwn(method.views, choice.view)) {
    throw new Error(`${method.method} has no view "${choice.view}" (views: ${Object.keys(method.views).join(', ')})`);
  }
  const type = choice.type ?? FIGURE_TYPES_FOR[kind][0];
  const view = method.view(result, choice.view);
  return { view, type, spec: methodFigure(view, type, choice.options) };
}
