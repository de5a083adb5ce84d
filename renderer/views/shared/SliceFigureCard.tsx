/**
 * A drill-down figure: one row or column of a registry method's grid view (a head across source
 * positions, a patching cell's head across positions) as bars, drawn by the one figure layer from
 * the same view the clicked grid came from (analysis/registry/view-slices.ts), so it shows the
 * grid's own numbers and labels. Its JSON export and pin carry the run's record and the slice.
 */
import { useMemo } from 'react';
import type { ReactNode } from 'react';
import type { Json } from '../../../analysis/json.ts';
import type { GridView } from '../../../analysis/registry/views.ts';
import { gridColumn, gridRow } from '../../../analysis/registry/view-slices.ts';
import { viewToTable } from '../../../notebooks/figures/table.ts';
import { FigureCard } from '../../figures/FigureCard.tsx';
import { methodFigure } from '../../figures/method-figure.ts';
import type { MethodRun } from './use-method-run.ts';

export type GridSlice = { readonly row: number } | { readonly column: number };

export function SliceFigureCard({ run, result, view, slice, title, caption, testId }: { run: Pick<MethodRun, 'method' | 'runKey' | 'pin'>; result: Json; view: string; slice: GridSlice; title: string; caption?: ReactNode; testId?: string }) {
  const series = useMemo(() => {
    const grid = run.method.view(result, view);
    if (grid.kind !== 'grid') throw new Error(`internal: ${run.method.method} view "${view}" is a ${grid.kind}, not a grid`);
    return 'row' in slice ? gridRow(grid as GridView, slice.row, title) : gridColumn(grid as GridView, slice.column, title);
  }, [run.method, result, view, slice, title]);
  const spec = useMemo(() => methodFigure(series, 'bar'), [series]);
  const at = 'row' in slice ? `row-${slice.row}` : `column-${slice.column}`;
  return (
    <FigureCard
      title={title}
      caption={caption}
      spec={spec}
      testId={testId}
      revision={`${run.runKey}-${view}-${at}`}
      exports={{ name: `${run.method.method}-${view}-${at}`, table: () => viewToTable(series), json: () => ({ ...run.pin(view, 'heatmap', result), slice }) }}
    />
  );
}
