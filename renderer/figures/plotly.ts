/**
 * Plotly, loaded on first use: the 4.8 MB bundle is its own chunk, so the app starts without
 * it and every figure waits on the same promise.
 */
import type PlotlyDefault from 'plotly.js-dist-min';

export type PlotlyApi = typeof PlotlyDefault;

let loading: Promise<PlotlyApi> | null = null;

export function loadPlotly(): Promise<PlotlyApi> {
  loading ??= import('plotly.js-dist-min').then((m) => m.default);
  return loading;
}
