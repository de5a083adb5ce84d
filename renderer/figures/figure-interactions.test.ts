import { describe, expect, it } from 'vitest';
import type { GridView, SeriesView } from '../../analysis/registry/views.ts';
import { viewCellAt, withCellFrame } from './figure-interactions.ts';
import { methodFigure } from './method-figure.ts';

const grid: GridView = {
  kind: 'grid',
  title: 'g',
  x: { title: 'head', labels: ['H0', 'H1', 'H2'] },
  y: { title: 'layer', labels: ['L0', 'L1'] },
  z: [
    [1, 2, 3],
    [4, 5, 6],
  ],
  zTitle: 'score',
  signed: false,
};
const series: SeriesView = { kind: 'series', title: 's', x: { title: 'layer', labels: ['a', 'b'] }, yTitle: 'v', traces: [{ name: 't0', values: [1, 2] }, { name: 't1', values: [3, 4] }] };

describe('figure interactions', () => {
  it('a heatmap click is the view cell at [row, col]', () => {
    expect(viewCellAt(grid, 'heatmap', { pointIndex: [1, 2] })).toEqual({ x: 2, y: 1, xLabel: 'H2', yLabel: 'L1' });
    expect(viewCellAt(grid, 'heatmap', { pointNumber: [0, 1] })).toEqual({ x: 1, y: 0, xLabel: 'H1', yLabel: 'L0' });
    expect(viewCellAt(grid, 'heatmap', { pointIndex: [2, 0] })).toBeNull();
    expect(viewCellAt(grid, 'table', { pointIndex: [0, 0] })).toBeNull();
  });

  it('a bar or line click is (trace, point)', () => {
    expect(viewCellAt(series, 'bar', { curveNumber: 1, pointIndex: 0 })).toEqual({ x: 0, y: 1, xLabel: 'a', yLabel: 't1' });
    expect(viewCellAt(grid, 'line', { curveNumber: 0, pointNumber: 2 })).toEqual({ x: 2, y: 0, xLabel: 'H2', yLabel: 'L0' });
    expect(viewCellAt(series, 'bar', { curveNumber: 2, pointIndex: 0 })).toBeNull();
  });

  it('a frame is drawn over the same data, around the cell', () => {
    const spec = methodFigure(grid, 'heatmap');
    const framed = withCellFrame(spec, { x: 2, y: 1 });
    expect(framed.data).toBe(spec.data);
    expect(framed.layout.shapes).toEqual([expect.objectContaining({ x0: 1.5, x1: 2.5, y0: 0.5, y1: 1.5 })]);
    expect(withCellFrame(spec, null)).toBe(spec);
  });
});
