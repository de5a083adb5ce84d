/**
 * Drill-down of one patching cell: its numbers, and the cell in context: a head across
 * positions ([layer, pos, head] sweeps) or a position across layers ([layer, pos] sweeps).
 */
import { useMemo } from 'react';
import { Panel } from '../../components/Panel.tsx';
import { bars } from '../../figures/charts.ts';
import { FigureCard } from '../../figures/FigureCard.tsx';
import type { Grid } from '../../figures/patching.ts';
import { headAcrossPositions, positionAcrossLayers } from '../../figures/patching.ts';
import { positionTokenLabel } from '../../../analysis/formats/token-label.ts';
import { displayToken } from '../../prompt/token-display.ts';
import type { TokenInfo } from '../../worker/contracts.ts';
import type { PatchingJobResult } from '../../worker/method-contracts.ts';
import { DetailList } from '../shared/DetailList.tsx';

export function PatchCellDetail({ result, grid, cell, tokens, valueLabel }: { result: PatchingJobResult; grid: Grid; cell: { row: number; col: number }; tokens: readonly TokenInfo[]; valueLabel: string }) {
  const layer = cell.row;
  const context = useMemo(() => {
    if (grid.axes.length === 3) {
      const values = headAcrossPositions(grid, layer, cell.col);
      return { title: `L${layer}H${cell.col} at each position`, values, labels: values.map((_, p) => positionTokenLabel(p, tokens[p]?.text ?? '')) };
    }
    if (grid.axes[1] === 'pos') {
      const values = positionAcrossLayers(grid, cell.col);
      return { title: `Position ${cell.col} ${displayToken(tokens[cell.col]?.text ?? '')} at each layer`, values, labels: values.map((_, l) => `L${l}`) };
    }
    return null;
  }, [grid, layer, cell.col, tokens]);
  const spec = useMemo(() => (context ? bars({ labels: context.labels, values: context.values, title: context.title, valueLabel }) : null), [context, valueLabel]);
  const index = grid.axes.length === 3 ? null : layer * grid.shape[1] + cell.col;
  const where = grid.axes[1] === 'pos' ? `L${layer}, position ${cell.col} ${displayToken(tokens[cell.col]?.text ?? '')}` : `L${layer}H${cell.col}`;
  return (
    <Panel title={`Cell ${where}`} testId="patching-detail">
      <DetailList
        items={[
          ['Patched', `${result.hook}, ${result.direction}`],
          ...(index !== null ? ([['Metric', result.metric[index]], ['Normalised', result.normalized[index]]] as [string, number][]) : []),
          ['Clean metric', result.cleanMetric],
          ['Corrupted metric', result.corruptedMetric],
        ]}
      />
      {spec && context && (
        <FigureCard
          title={context.title}
          spec={spec}
          exports={{ name: `patching-${result.hook}-cell`, table: () => ({ columns: ['label', valueLabel], rows: context.labels.map((l, i) => [l, context.values[i]]) }), json: () => ({ cell, ...context }) }}
        />
      )}
    </Panel>
  );
}
