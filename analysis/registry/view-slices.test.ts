import { describe, expect, it } from 'vitest';
import { patchGridByHead, symmetricRange } from './patch-grid.ts';
import { gridColumn, gridRow } from './view-slices.ts';
import type { GridView } from './views.ts';

const view: GridView = {
  kind: 'grid',
  title: 'g',
  x: { title: 'position', labels: ['0: a', '1: b', '2: c'] },
  y: { title: 'layer', labels: ['L0', 'L1'] },
  z: [
    [1, -2, null],
    [3, 4, 5],
  ],
  zTitle: 'value',
  signed: true,
};

describe('grid rows and columns as series', () => {
  it('a row keeps the x axis; a column runs along the y axis', () => {
    expect(gridRow(view, 1)).toEqual({ kind: 'series', title: 'g: L1', x: view.x, yTitle: 'value', traces: [{ name: 'L1', values: [3, 4, 5] }] });
    expect(gridColumn(view, 2, 'c')).toEqual({ kind: 'series', title: 'c', x: view.y, yTitle: 'value', traces: [{ name: '2: c', values: [null, 5] }] });
  });

  it('names the grid when the index is outside it', () => {
    expect(() => gridRow(view, 2)).toThrow('row 2 is outside the grid "g" (2 rows)');
    expect(() => gridColumn(view, -1)).toThrow('column -1 is outside the grid "g" (3 columns)');
  });
});

describe('patching sweeps by head', () => {
  // [layer 2, pos 2, head 2], row-major: value(l, p, h) at (l·2 + p)·2 + h.
  const meta = { axes: ['layer', 'pos', 'head'], shape: [2, 2, 2], cleanTokens: ['a', 'b'], corruptedTokens: ['a', 'c'] };
  const values = [0.5, -1, -0.75, 0.25, null, 2, null, -3];

  it('keeps the signed value of largest magnitude over positions (nulls skipped, null when all are)', () => {
    const g = patchGridByHead(meta, values, 't', 'v');
    expect(g.z).toEqual([
      [-0.75, -1],
      [null, -3],
    ]);
    expect(g.x.labels).toEqual(['H0', 'H1']);
    expect(g.y.labels).toEqual(['L0', 'L1']);
  });

  it('leaves [layer, pos] sweeps as they are and takes a shared range', () => {
    const flat = patchGridByHead({ axes: ['layer', 'pos'], shape: [2, 2], cleanTokens: ['a', 'b'], corruptedTokens: ['a', 'c'] }, [1, 2, 3, 4], 't', 'v', [-4, 4]);
    expect(flat.z).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(flat.x.labels).toEqual(['0: a', '1: b / c']);
    expect(flat.range).toEqual([-4, 4]);
  });

  it('symmetric range over several grids; [-1, 1] when everything is 0 or null', () => {
    expect(symmetricRange([1, -2], [null, 0.5])).toEqual([-2, 2]);
    expect(symmetricRange([0, null])).toEqual([-1, 1]);
  });
});
