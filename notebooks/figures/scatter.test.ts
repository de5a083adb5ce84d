import { describe, expect, it } from 'vitest';
import type { GridView, ScatterView } from '../../analysis/registry/views.ts';
import { toPlotly } from './plotly.ts';
import { viewToTable } from './table.ts';

const scatter: ScatterView = {
  kind: 'scatter',
  title: 'estimate <b>',
  points: { title: 'cell', labels: ['L0 · 1: <s>', 'L1 · 2: b'] },
  x: { title: 'exact', values: [1, -3] },
  y: { title: 'estimate', values: [0.5, null] },
};

describe('scatter views and fixed colour ranges', () => {
  it('draws a scatter as markers over the line y = x spanning 0 and every value', () => {
    const fig = toPlotly(scatter, 'scatter');
    expect(fig.data[0]).toMatchObject({ type: 'scatter', mode: 'lines', x: [-3, 1], y: [-3, 1] });
    expect(fig.data[1]).toMatchObject({ type: 'scatter', mode: 'markers', x: [1, -3], y: [0.5, null], text: ['L0 · 1: &lt;s&gt;', 'L1 · 2: b'] });
    expect(fig.layout).toMatchObject({ xaxis: { title: { text: 'exact' } }, yaxis: { title: { text: 'estimate' } }, title: { text: 'estimate &lt;b&gt;' } });
  });

  it('tables a scatter as point, x, y', () => {
    expect(viewToTable(scatter)).toEqual({ columns: ['cell', 'exact', 'estimate'], rows: [['L0 · 1: <s>', 1, 0.5], ['L1 · 2: b', -3, null]] });
    expect(toPlotly(scatter, 'table').data[0].type).toBe('table');
  });

  it('refuses other kinds as scatter plots, and a scatter as a heatmap', () => {
    const grid: GridView = { kind: 'grid', title: 'g', x: { title: 'x', labels: ['a'] }, y: { title: 'y', labels: ['b'] }, z: [[1]], zTitle: 'v', signed: true };
    expect(() => toPlotly(grid, 'scatter')).toThrow('a grid view cannot be drawn as a scatter plot');
    expect(() => toPlotly(scatter, 'heatmap')).toThrow('a scatter view cannot be drawn as a heatmap');
  });

  it('uses a grid\'s fixed range as the colour limits', () => {
    const grid: GridView = { kind: 'grid', title: 'g', x: { title: 'x', labels: ['a', 'b'] }, y: { title: 'y', labels: ['r'] }, z: [[1, -0.5]], zTitle: 'v', signed: true, range: [-4, 4] };
    expect(toPlotly(grid, 'heatmap').data[0]).toMatchObject({ zmin: -4, zmax: 4, zmid: 0 });
    expect(toPlotly({ ...grid, range: undefined }, 'heatmap').data[0].zmin).toBeUndefined();
  });
});
