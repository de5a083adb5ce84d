import { describe, expect, it } from 'vitest';
import { bars, heatmap } from './charts.ts';
import { DIVERGING } from '../../notebooks/figures/colorscales.ts';

describe('figure builders', () => {
  it('centres signed heatmaps on 0 with symmetric limits', () => {
    const spec = heatmap({ z: [[-0.5, 2], [NaN, 1]], x: ['a', 'b'], y: [0, 1], title: 't', valueLabel: 'v', scale: 'diverging' });
    expect(spec.data[0]).toMatchObject({ type: 'heatmap', zmid: 0, zmin: -2, zmax: 2, colorscale: DIVERGING });
  });

  it('colours bars by sign', () => {
    const spec = bars({ labels: ['a', 'b'], values: [1, -1], title: 't', valueLabel: 'v' });
    expect((spec.data[0] as { marker: { color: string[] } }).marker.color).toEqual(['#d6604d', '#4393c3']);
  });
});
