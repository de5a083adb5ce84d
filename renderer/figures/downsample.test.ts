import { describe, expect, it } from 'vitest';
import { binEdges, binMatrix, fullWindow, windowFromRange } from './downsample.ts';

describe('downsampling', () => {
  it('makes near-equal bins covering the range', () => {
    expect(binEdges(0, 10, 3)).toEqual([0, 3, 7, 10]);
    expect(binEdges(2, 5, 10)).toEqual([2, 3, 4, 5]);
  });
  it('keeps full resolution when the window fits', () => {
    const b = binMatrix([1, 2, 3, 4], 2, fullWindow(2, 2), 10, 10);
    expect(b.z).toEqual([[1, 2], [3, 4]]);
    expect(b.reduced).toBe(false);
  });
  it('reduces by mean, max or signed max-abs, skipping NaN', () => {
    const data = [1, -5, NaN, 2];
    expect(binMatrix(data, 2, fullWindow(2, 2), 1, 1, 'mean').z).toEqual([[-2 / 3]]);
    expect(binMatrix(data, 2, fullWindow(2, 2), 1, 1, 'max').z).toEqual([[2]]);
    expect(binMatrix(data, 2, fullWindow(2, 2), 1, 1, 'maxabs').z).toEqual([[-5]]);
    expect(binMatrix([NaN], 1, fullWindow(1, 1), 1, 1).z).toEqual([[NaN]]);
  });
  it('turns an axis range into an index window', () => {
    expect(windowFromRange([-0.5, 9.5], 10)).toEqual([0, 10]);
    expect(windowFromRange([2.4, 5.6], 10)).toEqual([2, 7]);
    expect(windowFromRange(null, 4)).toEqual([0, 4]);
  });
});
