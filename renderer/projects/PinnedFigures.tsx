/**
 * The current project's pinned figures, drawn from the stored Plotly data at the drawer's width,
 * each with "Reopen" when the view it was pinned in is known (the experiment's kind).
 */
import { viewById, VIEWS } from '../app/views.ts';
import { PlotlyFigure } from '../figures/PlotlyFigure.tsx';
import type { ExperimentRow, FigureRow } from '../storage/records.ts';
import { asFigureSpec } from './ReopenedRun.tsx';
import { useReopen } from './reopen-state.tsx';

export function PinnedFigures({ figures, experiments = [], onUnpin }: { figures: readonly FigureRow[]; experiments?: readonly ExperimentRow[]; onUnpin?: (id: string) => void }) {
  const reopen = useReopen();
  if (figures.length === 0) return <p className="projects-empty">No pinned figures yet: run an analysis and press “Pin to project” under its figure.</p>;
  return (
    <div className="pinned-figures">
      {figures.map((f) => {
        const spec = asFigureSpec(f.figure);
        const run = experiments.find((e) => e.id === f.experimentId);
        const view = run && VIEWS.some((v) => v.id === run.kind) ? viewById(run.kind) : null;
        return (
          <figure key={f.id} className="pinned-figure" data-testid="pinned-figure" data-title={f.title}>
            <figcaption className="pinned-figure-head">
              <span className="pinned-figure-title">{f.title}</span>
              <time dateTime={new Date(f.createdAt).toISOString()}>{new Date(f.createdAt).toLocaleString()}</time>
              {reopen && view && run && (
                <button
                  type="button"
                  className="link-button"
                  title={`Open this run in ${view.title} with its parameters`}
                  onClick={() => reopen.reopen({ view: view.id, title: f.title, figure: f.figure, params: run.params, interventions: run.interventions, createdAt: f.createdAt })}
                  data-testid="pinned-reopen"
                >
                  Reopen in {view.title}
                </button>
              )}
              {onUnpin && (
                <button type="button" className="link-button" onClick={() => onUnpin(f.id)}>
                  Unpin
                </button>
              )}
            </figcaption>
            {/* Drawn at the drawer's width, whatever width the figure was made at. */}
            {spec ? <PlotlyFigure spec={{ ...spec, layout: { ...spec.layout, width: undefined } }} height={360} /> : <p className="figure-error">This pinned figure is not a Plotly figure.</p>}
          </figure>
        );
      })}
    </div>
  );
}
