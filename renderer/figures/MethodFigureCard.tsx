/**
 * One view of a registry method's result as a figure card: the figure comes from the one figure
 * layer (methodViewFigure), the export bar's CSV is the view's table, its JSON and "Pin to
 * project" store the run's record (method, params, view, result). Interactions are layered on the
 * same figure: `onCell` receives the clicked view cell, `frame` outlines a chosen cell, `onZoom`
 * reports the axis ranges.
 */
import { useMemo } from 'react';
import type { ReactNode } from 'react';
import type { PlotDatum } from 'plotly.js-dist-min';
import type { Json } from '../../analysis/json.ts';
import type { FigureType } from '../../analysis/registry/views.ts';
import type { FigureOptions } from '../../notebooks/figures/options.ts';
import { viewToTable } from '../../notebooks/figures/table.ts';
import type { MethodRun } from '../views/shared/use-method-run.ts';
import { FigureCard } from './FigureCard.tsx';
import type { ViewCell } from './figure-interactions.ts';
import { viewCellAt, withCellFrame } from './figure-interactions.ts';
import { methodViewFigure } from './method-figure.ts';
import type { AxisRanges } from './PlotlyFigure.tsx';

export interface MethodFigureCardProps {
  readonly run: Pick<MethodRun, 'method' | 'runKey' | 'pin'>;
  /** The result drawn: the run's, or the run's with view state the app changes locally (a focus head). */
  readonly result: Json;
  readonly view: string;
  readonly type?: FigureType;
  readonly options?: FigureOptions;
  readonly title: string;
  readonly caption?: ReactNode;
  readonly onCell?: (cell: ViewCell) => void;
  readonly frame?: { readonly x: number; readonly y: number } | null;
  readonly onZoom?: (ranges: AxisRanges) => void;
  readonly testId?: string;
  /** Export file name (default METHOD-VIEW). */
  readonly exportName?: string;
  /** Zoom survives redraws with the same revision (default: the run and the view). */
  readonly revision?: string;
}

export function MethodFigureCard({ run, result, view, type, options, title, caption, onCell, frame, onZoom, testId, exportName, revision }: MethodFigureCardProps) {
  // Options and frames are small literals a view writes inline: compared by value, so a re-render
  // with equal ones keeps the spec (and Plotly does not redraw).
  const optionsKey = JSON.stringify(options ?? {});
  const figure = useMemo(
    () => methodViewFigure(run.method, result, { view, type, options: JSON.parse(optionsKey) as FigureOptions }),
    [run.method, result, view, type, optionsKey],
  );
  const frameX = frame?.x;
  const frameY = frame?.y;
  const spec = useMemo(() => withCellFrame(figure.spec, frameX === undefined || frameY === undefined ? null : { x: frameX, y: frameY }), [figure, frameX, frameY]);
  const onClick = onCell
    ? (p: PlotDatum) => {
        const cell = viewCellAt(figure.view, figure.type, p);
        if (cell) onCell(cell);
      }
    : undefined;
  return (
    <FigureCard
      title={title}
      caption={caption}
      spec={spec}
      onClick={onClick}
      onZoom={onZoom}
      testId={testId}
      revision={revision ?? `${run.runKey}-${view}-${figure.type}`}
      exports={{
        name: exportName ?? `${run.method.method}-${view}`,
        table: () => viewToTable(figure.view),
        json: () => run.pin(view, figure.type, result),
      }}
    />
  );
}
