/** The current project's pinned figures, drawn from the stored Plotly data. */
import { PlotlyFigure } from '../figures/PlotlyFigure.tsx';
import type { FigureSpec } from '../figures/spec.ts';
import type { FigureRow } from '../storage/records.ts';

function asSpec(figure: unknown): FigureSpec | null {
  const f = figure as { data?: unknown; layout?: unknown } | null;
  return f && Array.isArray(f.data) && typeof f.layout === 'object' && f.layout !== null ? (f as FigureSpec) : null;
}

export function PinnedFigures({ figures, onUnpin }: { figures: readonly FigureRow[]; onUnpin?: (id: string) => void }) {
  if (figures.length === 0) return <p className="projects-empty">No pinned figures yet: run an analysis and press “Pin to project” under its figure.</p>;
  return (
    <div className="pinned-figures">
      {figures.map((f) => {
        const spec = asSpec(f.figure);
        return (
          <figure key={f.id} className="pinned-figure" data-testid="pinned-figure" data-title={f.title}>
            <figcaption className="pinned-figure-head">
              <span>{f.title}</span>
              <time dateTime={new Date(f.createdAt).toISOString()}>{new Date(f.createdAt).toLocaleString()}</time>
              {onUnpin && (
                <button type="button" className="link-button" onClick={() => onUnpin(f.id)}>
                  Unpin
                </button>
              )}
            </figcaption>
            {spec ? <PlotlyFigure spec={spec} height={360} /> : <p className="figure-error">This pinned figure is not a Plotly figure.</p>}
          </figure>
        );
      })}
    </div>
  );
}
