import { describe, expect, it } from 'vitest';
import { gridMatrix, gridTable, headAcrossPositions, positionAcrossLayers } from './patching.ts';

const tokens = [
  { id: 1, text: '<s>', special: true },
  { id: 7, text: ' a', special: false },
];

describe('patching grids', () => {
  it('draws [layer, pos] as is, with token labels escaped for Plotly', () => {
    const g = { axes: ['layer', 'pos'] as const, shape: [2, 2], values: [1, 2, 3, 4] };
    expect(gridMatrix(g, tokens)).toEqual({ z: [[1, 2], [3, 4]], x: ['0 &lt;s&gt;', '1 ·a'], xTitle: 'position' });
    expect(positionAcrossLayers(g, 1)).toEqual([2, 4]);
  });
  it('reduces [layer, pos, head] to the signed max-abs over positions', () => {
    // layer 0: pos 0 heads [0.1, -0.9], pos 1 heads [0.5, 0.2]
    const g = { axes: ['layer', 'pos', 'head'] as const, shape: [1, 2, 2], values: [0.1, -0.9, 0.5, 0.2] };
    expect(gridMatrix(g, tokens).z).toEqual([[0.5, -0.9]]);
    expect(headAcrossPositions(g, 0, 1)).toEqual([-0.9, 0.2]);
  });
  it('exports one tidy row per cell', () => {
    const g = { axes: ['layer', 'pos'] as const, shape: [1, 2], values: [0.25, 0.5] };
    expect(gridTable(g, tokens, [{ name: 'normalized', values: g.values }])).toEqual({
      columns: ['layer', 'pos', 'token', 'normalized'],
      rows: [
        [0, 0, '<s>', 0.25],
        [0, 1, ' a', 0.5],
      ],
    });
  });
});
