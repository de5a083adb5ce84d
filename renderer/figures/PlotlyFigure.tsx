/**
 * Draws a FigureSpec with Plotly (loaded lazily), redraws with Plotly.react when the spec
 * changes, follows its container's width, and reports clicks and zooms.
 */
import { useEffect, useRef, useState } from 'react';
import type { PlotDatum, PlotlyHTMLElement, PlotMouseEvent, PlotRelayoutEvent } from 'plotly.js-dist-min';
import type { FigureSpec } from './spec.ts';
import { PLOT_CONFIG } from './spec.ts';
import { loadPlotly } from './plotly.ts';

export interface AxisRanges {
  /** null = autorange (zoom reset). */
  readonly x: readonly [number, number] | null;
  readonly y: readonly [number, number] | null;
}

export interface PlotlyFigureProps {
  readonly spec: FigureSpec;
  readonly height?: number;
  readonly onClick?: (point: PlotDatum) => void;
  readonly onZoom?: (ranges: AxisRanges) => void;
  /** The plot element once drawn (for exports), null when unmounted. */
  readonly onReady?: (element: HTMLElement | null) => void;
  readonly testId?: string;
  /** Zoom and pan survive redraws with the same revision; a new revision resets them. */
  readonly revision?: string;
}

function rangeOf(e: PlotRelayoutEvent, axis: 'xaxis' | 'yaxis'): readonly [number, number] | null | undefined {
  const record = e as Record<string, unknown>;
  if (record[`${axis}.autorange`] === true) return null;
  const lo = record[`${axis}.range[0]`];
  const hi = record[`${axis}.range[1]`];
  if (typeof lo === 'number' && typeof hi === 'number') return [lo, hi];
  const both = record[`${axis}.range`];
  if (Array.isArray(both) && typeof both[0] === 'number' && typeof both[1] === 'number') return [both[0], both[1]];
  return undefined;
}

export function PlotlyFigure({ spec, height = 460, onClick, onZoom, onReady, testId, revision = 'keep' }: PlotlyFigureProps) {
  const container = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const handlers = useRef({ onClick, onZoom, onReady });
  handlers.current = { onClick, onZoom, onReady };
  const zoom = useRef<AxisRanges>({ x: null, y: null });

  useEffect(() => {
    let cancelled = false;
    const el = container.current;
    if (!el) return;
    loadPlotly()
      .then(async (Plotly) => {
        if (cancelled) return;
        const layout = { height: spec.layout.height ?? height, autosize: spec.layout.width === undefined, uirevision: revision, ...spec.layout };
        const first = !(el as Partial<PlotlyHTMLElement>).on;
        const plot = await Plotly.react(el, spec.data, layout, PLOT_CONFIG);
        if (first) {
          plot.on('plotly_click', (e: PlotMouseEvent) => e.points[0] && handlers.current.onClick?.(e.points[0]));
          plot.on('plotly_relayout', (e: PlotRelayoutEvent) => {
            const x = rangeOf(e, 'xaxis');
            const y = rangeOf(e, 'yaxis');
            if (x === undefined && y === undefined) return;
            zoom.current = { x: x === undefined ? zoom.current.x : x, y: y === undefined ? zoom.current.y : y };
            handlers.current.onZoom?.(zoom.current);
          });
          handlers.current.onReady?.(el);
        }
        el.dataset.rendered = 'true';
      })
      .catch((e: unknown) => setError(`The figure could not be drawn: ${(e as Error).message}`));
    return () => {
      cancelled = true;
    };
  }, [spec, height, revision]);

  // Follow the container's width (hidden views have width 0 and redraw when shown).
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      if (el.clientWidth > 0 && el.dataset.rendered === 'true') void loadPlotly().then((Plotly) => Plotly.Plots.resize(el));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const el = container.current;
    return () => {
      handlers.current.onReady?.(null);
      if (el) void loadPlotly().then((Plotly) => Plotly.purge(el));
    };
  }, []);

  if (error) return <div className="figure-error">{error}</div>;
  return <div ref={container} className="plotly-figure" data-testid={testId} style={{ minHeight: spec.layout.height ?? height }} />;
}
