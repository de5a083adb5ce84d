/**
 * A figure as plain data (Plotly traces and layout), built by pure functions from a method's
 * result, so the same builders serve the app, exports and (later) notebooks.
 */
import type { Config, Data, Layout } from 'plotly.js-dist-min';

export interface FigureSpec {
  readonly data: Data[];
  readonly layout: Partial<Layout>;
}

export const FONT_FAMILY = '-apple-system, BlinkMacSystemFont, "Segoe UI", Inter, "Liberation Sans", Arial, sans-serif';
export const MONO_FAMILY = '"JetBrains Mono", "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace';

const INK = '#1d2330';
const GRID = '#eceef2';

/** The house style: quiet axes, readable type, white paper (also in exported images). */
export function themedLayout(layout: Partial<Layout>): Partial<Layout> {
  return {
    font: { family: FONT_FAMILY, size: 12, color: INK },
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
    margin: { l: 72, r: 24, t: 36, b: 56 },
    // Dark text on white: left to itself Plotly picks a light font for some traces (faint on white).
    hoverlabel: { font: { family: FONT_FAMILY, size: 12, color: INK }, bgcolor: '#ffffff', bordercolor: '#8a93a3', align: 'left' },
    ...layout,
    xaxis: { gridcolor: GRID, zeroline: false, linecolor: '#c9ced8', ticks: 'outside', tickcolor: '#c9ced8', ...layout.xaxis },
    yaxis: { gridcolor: GRID, zeroline: false, linecolor: '#c9ced8', ticks: 'outside', tickcolor: '#c9ced8', ...layout.yaxis },
  };
}

export const PLOT_CONFIG: Partial<Config> = {
  displaylogo: false,
  responsive: false,
  scrollZoom: false,
  // Export lives in the figure's own toolbar (chosen size, SVG/PNG/CSV/JSON).
  modeBarButtonsToRemove: ['toImage', 'lasso2d', 'select2d', 'autoScale2d'],
};
