import { describe, expect, it } from 'vitest';
import { bars, cellOf, headGrid, heatmap } from './charts.ts';
import { DIVERGING } from '../../notebooks/figures/colorscales.ts';

describe('figure builders', () => {
  it('centres signed heatmaps on 0 with symmetric limits', () => {
    const spec = heatmap({ z: [[-0.5, 2], [NaN, 1]], x: ['a', 'b'], y: [0, 1], title: 't', valueLabel: 'v', scale: 'diverging' });
    expect(spec.data[0]).toMatchObject({ type: 'heatmap', zmid: 0, zmin: -2, zmax: 2, colorscale: DIVERGING });
  });

  it('lays a [layer][head] grid out with L/H labels, layer 0 on top, and frames the selected head', () => {
    const spec = headGrid({ z: [[1, 2, 3], [4, 5, 6]], title: 't', valueLabel: 'v', scale: 'sequential', selectedHead: { layer: 1, head: 2 } });
    expect(spec.data[0]).toMatchObject({ x: ['H0', 'H1', 'H2'], y: ['L0', 'L1'] });
    expect(spec.layout.yaxis).toMatchObject({ autorange: 'reversed' });
    expect(spec.layout.shapes).toEqual([expect.objectContaining({ x0: 1.5, x1: 2.5, y0: 0.5, y1: 1.5 })]);
  });

  it('colours bars by sign', () => {
    const spec = bars({ labels: ['a', 'b'], values: [1, -1], title: 't', valueLabel: 'v' });
    expect((spec.data[0] as { marker: { color: string[] } }).marker.color).toEqual(['#d6604d', '#4393c3']);
  });

  it('finds the clicked cell from Plotly’s pointIndex or the category labels', () => {
    expect(cellOf({ pointIndex: [2, 3] })).toEqual({ row: 2, col: 3 });
    expect(cellOf({ x: 'H1', y: 'L2' }, { x: ['H0', 'H1'], y: ['L0', 'L1', 'L2'] })).toEqual({ row: 2, col: 1 });
    expect(cellOf({ x: 'H9', y: 'L2' }, { x: ['H0'], y: ['L2'] })).toBeNull();
  });
});
