/**
 * Drill-down of one patching cell: its numbers, and the cell in context drawn from the sweep's
 * own grid view: a head across positions ([layer, pos, head] sweeps: its row of the full grid)
 * or a position across layers ([layer, pos] sweeps: its column).
 */
import { patchCellLabels } from '../../../analysis/registry/patch-grid.ts';
import type { PatchingJson } from '../../../analysis/registry/patching.ts';
import { visibleToken } from '../../../analysis/formats/token-label.ts';
import { Panel } from '../../components/Panel.tsx';
import { DetailList } from '../shared/DetailList.tsx';
import { SliceFigureCard } from '../shared/SliceFigureCard.tsx';
import type { MethodRun } from '../shared/use-method-run.ts';

/** A clicked cell of the by-head grid: x is a head or a position, y a layer. */
export function PatchCellDetail({ run, result, cell, view }: { run: MethodRun<PatchingJson>; result: PatchingJson; cell: { x: number; y: number }; view: 'normalized' | 'metric' }) {
  const axes = result.axes.join(',');
  const layer = cell.y;
  const token = (p: number) => visibleToken(result.cleanTokens[p] ?? '');
  // A feature sweep's grid has a row per dictionary (· position) and a column per feature, in the result's order.
  const featureIndex = result.features ? cell.y * result.shape[result.shape.length - 1] + cell.x : null;
  const where =
    featureIndex !== null
      ? patchCellLabels(result)[featureIndex]
      : axes === 'layer,pos'
        ? `L${layer}, position ${cell.x} ${token(cell.x)}`
        : axes === 'layer'
          ? `L${layer}`
          : `L${layer}H${cell.x}`;
  // The cell's own numbers where one grid cell is one patch (not the by-head condensation).
  const index = featureIndex ?? (axes === 'layer' ? layer : axes === 'layer,pos,head' ? null : layer * result.shape[1] + cell.x);
  const context =
    featureIndex !== null
      ? null
      : axes === 'layer,pos,head'
        ? { slice: { row: layer * result.shape[2] + cell.x }, title: `L${layer}H${cell.x} at each position` }
        : axes === 'layer,pos'
          ? { slice: { column: cell.x }, title: `Position ${cell.x} ${token(cell.x)} at each layer` }
          : null;
  return (
    <Panel title={`Cell ${where}`} testId="patching-detail">
      <DetailList
        items={[
          ['Patched', `${result.hook}, ${result.direction}`],
          ...(index !== null ? ([['Metric', result.metric[index] ?? NaN], ['Normalised', result.normalized[index] ?? NaN]] as [string, number][]) : []),
          ['Clean metric', result.cleanMetric ?? NaN],
          ['Corrupted metric', result.corruptedMetric ?? NaN],
        ]}
      />
      {context && <SliceFigureCard run={run} result={result} view={view} slice={context.slice} title={context.title} />}
    </Panel>
  );
}
