import { describe, expect, it } from 'vitest';
import type { GridView } from '../../analysis/registry/views.ts';
import { cellTextChars, toPlotly } from './plotly.ts';

function grid(columns: number): GridView {
  const labels = Array.from({ length: columns }, (_, i) => `${i}: ·tok`);
  return {
    kind: 'grid',
    title: 'lens',
    x: { title: 'position', labels },
    y: { title: 'layer', labels: ['0'] },
    z: [labels.map(() => 0.5)],
    text: [labels.map((_, i) => (i === 0 ? '<s>' : '·somewhere'))],
    zTitle: 'p',
    signed: false,
  };
}

describe('heatmap cell text', () => {
  it('is cut to what fits the width, escaped, and whole on hover', () => {
    const chars = cellTextChars(10, 720);
    expect(chars).toBe(9);
    const trace = toPlotly(grid(10), 'heatmap', { width: 720 }).data[0] as { text: string[][]; customdata: string[][]; texttemplate?: string };
    expect(trace.texttemplate).toBe('%{text}');
    expect(trace.text[0][0]).toBe('&lt;s&gt;');
    expect(trace.text[0][1]).toBe('·somewhe…');
    expect(trace.customdata[0][1]).toBe('·somewhere');
  });
  it('is left out of the cells (hover only) when fewer than 3 characters fit', () => {
    const trace = toPlotly(grid(60), 'heatmap', { width: 720 }).data[0] as { texttemplate?: string; customdata: string[][] };
    expect(cellTextChars(60, 720)).toBeLessThan(3);
    expect(trace.texttemplate).toBeUndefined();
    expect(trace.customdata[0][0]).toBe('&lt;s&gt;');
  });
});
