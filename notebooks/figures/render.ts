/** A figure cell's output from its step's result: the view, drawn; plus the view as a table. */
import type { Json } from '../../analysis/json.ts';
import type { RegisteredMethod } from '../../analysis/registry/contract.ts';
import type { FigureOptions } from './options.ts';
import type { PlotlyFigure } from './plotly.ts';
import { toPlotly } from './plotly.ts';
import type { PlainTable } from './table.ts';
import { viewToTable } from './table.ts';
import type { FigureType } from '../../analysis/registry/views.ts';

export interface RenderedFigure {
  readonly figure: PlotlyFigure;
  /** The numbers behind the figure (CSV export). */
  readonly table: PlainTable;
}

export function renderFigure(step: RegisteredMethod, result: Json, view: string, type: FigureType, options: FigureOptions): RenderedFigure {
  const v = step.view(result, view);
  return { figure: toPlotly(v, type, options), table: viewToTable(v) };
}

/** The step's default figure: what the app shows right after a step runs. */
export function defaultFigure(step: RegisteredMethod, result: Json): RenderedFigure {
  return renderFigure(step, result, step.defaultFigure.view, step.defaultFigure.type, {});
}
