import { describe, expect, it } from 'vitest';
import { gridLayout, visibleRows } from './virtual-grid.ts';

describe('virtual grid', () => {
  it('fits as many columns as the width allows', () => {
    expect(gridLayout(100, 800, 76, 4)).toEqual({ columns: 10, rows: 10 });
    expect(gridLayout(3, 10, 76, 4)).toEqual({ columns: 1, rows: 3 });
  });
  it('renders only rows in view plus overscan', () => {
    expect(visibleRows(0, 100, 50, 1000)).toEqual([0, 4]);
    expect(visibleRows(5000, 100, 50, 1000)).toEqual([98, 104]);
    expect(visibleRows(0, 100, 50, 1)).toEqual([0, 1]);
  });
});
