import { describe, expect, it } from 'vitest';
import { DIVERGING, SEQUENTIAL, SEQUENTIAL_REVERSED } from './colorscales.ts';
import { toPlotly } from './plotly.ts';
import type { GridView, SeriesView } from '../../analysis/registry/views.ts';

const grid = (signed: boolean): GridView => ({
  kind: 'grid',
  title: 'T <b>',
  x: { title: 'position', labels: ['0: <s>', '1: Once'] },
  y: { title: 'layer', labels: ['L0', 'L1'] },
  z: [
    [1, -2],
    [null, 4],
  ],
  text: [
    ['<s>', 'a'],
    ['b', 'c'],
  ],
  zTitle: 'value',
  signed,
});

const series: SeriesView = { kind: 'series', title: 'acc', x: { title: 'layer', labels: ['L0', 'L1'] }, yTitle: 'accuracy', traces: [{ name: 'train', values: [0.5, 1] }, { name: 'test', values: [0.4, null] }] };

describe('figures as Plotly specs', () => {
  it('draws signed grids with the diverging scale centred on 0, unsigned ones with the sequential scale (the app\'s scales)', () => {
    const signed = toPlotly(grid(true), 'heatmap').data[0];
    expect(signed).toMatchObject({ type: 'heatmap', zmid: 0, z: [[1, -2], [null, 4]] });
    expect(signed.colorscale).toEqual(DIVERGING);
    expect((signed.colorscale as [number, string][])[5]).toEqual([0.5, '#f7f7f7']);
    const unsigned = toPlotly(grid(false), 'heatmap').data[0];
    expect(unsigned.colorscale).toEqual(SEQUENTIAL);
    expect(unsigned.zmid).toBeUndefined();
    expect(toPlotly(grid(false), 'heatmap', { colorscale: 'diverging' }).data[0].zmid).toBe(0);
    // Ranks: dark for small values.
    expect(toPlotly({ ...grid(false), smallIsStrong: true }, 'heatmap').data[0].colorscale).toEqual(SEQUENTIAL_REVERSED);
    expect((SEQUENTIAL_REVERSED as [number, string][])[0][1]).toBe((SEQUENTIAL as [number, string][]).at(-1)![1]);
  });

  it('escapes Plotly pseudo-HTML in labels, texts and titles', () => {
    const fig = toPlotly(grid(true), 'heatmap', { title: '<a href="x">t</a>' });
    expect(fig.data[0].x).toEqual(['0: &lt;s&gt;', '1: Once']);
    expect((fig.data[0].text as string[][])[0][0]).toBe('&lt;s&gt;');
    expect(fig.layout.title).toEqual({ text: '&lt;a href="x"&gt;t&lt;/a&gt;' });
  });

  it('shows a grid\'s hover lines on hover (escaped), else its cell text', () => {
    expect(toPlotly(grid(false), 'heatmap').data[0].customdata).toEqual([['&lt;s&gt;', 'a'], ['b', 'c']]);
    const hovered = toPlotly({ ...grid(false), hover: [['top: <b> 0.5', 'x'], ['y', 'z']] }, 'heatmap').data[0];
    expect(hovered.customdata).toEqual([['top: &lt;b&gt; 0.5', 'x'], ['y', 'z']]);
    expect(hovered.text).toEqual([['&lt;s&gt;', 'a'], ['b', 'c']]);
    expect(hovered.hovertemplate).toContain('<br>%{customdata}');
    const { text: _text, ...plain } = grid(false);
    expect(toPlotly(plain, 'heatmap').data[0].hovertemplate).not.toContain('customdata');
  });

  it('draws series and grid rows as bar or line traces, and anything as a table', () => {
    expect(toPlotly(series, 'line').data).toEqual([
      { type: 'scatter', mode: 'lines+markers', name: 'train', x: ['L0', 'L1'], y: [0.5, 1] },
      { type: 'scatter', mode: 'lines+markers', name: 'test', x: ['L0', 'L1'], y: [0.4, null] },
    ]);
    expect(toPlotly(grid(true), 'bar').data.map((t) => t.name)).toEqual(['L0', 'L1']);
    const table = toPlotly(series, 'table').data[0];
    expect(table).toMatchObject({ type: 'table', header: { values: ['layer', 'train', 'test'] }, cells: { values: [['L0', 'L1'], [0.5, 1], [0.4, '']] } });
    expect(toPlotly(series, 'table').layout.height).toBe(140 + 36 * 2);
    expect(toPlotly(series, 'table', { height: 300 }).layout.height).toBe(300);
    expect(() => toPlotly(series, 'heatmap')).toThrow('a series view cannot be drawn as a heatmap');
    expect(toPlotly(series, 'bar', { width: 1200, height: 300 }).layout).toMatchObject({ width: 1200, height: 300, barmode: 'group' });
  });
});
