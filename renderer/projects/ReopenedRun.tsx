/** A pinned run reopened in its view: its parameters, the interventions it ran with, and its figure as pinned. */
import { describeIntervention } from '../../analysis/hooks/intervention-summary.ts';
import type { Intervention } from '../../analysis/hooks/interventions.ts';
import { Button } from '../components/Button.tsx';
import { useOptionalInterventions } from '../interventions/intervention-state.tsx';
import { StaleInterventions } from '../interventions/StaleInterventions.tsx';
import { Panel } from '../components/Panel.tsx';
import { PlotlyFigure } from '../figures/PlotlyFigure.tsx';
import type { FigureSpec } from '../figures/spec.ts';
import { useViewId } from '../app/view-active.tsx';
import { useReopen } from './reopen-state.tsx';

/** A parameter's value in one short line (long arrays such as prompt ids are cut). */
function shortValue(v: unknown): string {
  const text = ArrayBuffer.isView(v) ? `[${Array.from(v as unknown as ArrayLike<number>).join(', ')}]` : JSON.stringify(v) ?? String(v);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

export function asFigureSpec(figure: unknown): FigureSpec | null {
  const f = figure as { data?: unknown; layout?: unknown } | null;
  return f && Array.isArray(f.data) && typeof f.layout === 'object' && f.layout !== null ? (f as FigureSpec) : null;
}

/**
 * What the model ran with: one line per intervention, a notice when the workspace's list is no
 * longer that list (the figure would not come out the same now), and a way to work with them again.
 */
function RanWith({ interventions }: { interventions: readonly Intervention[] }) {
  const state = useOptionalInterventions();
  return (
    <div className="reopened-interventions" data-testid="reopened-interventions">
      {interventions.length === 0 ? (
        <p>Ran on the model without interventions.</p>
      ) : (
        <>
          <p>Ran on the model with these interventions, in order:</p>
          <ol className="mono">
            {interventions.map((iv, i) => (
              <li key={i}>{describeIntervention(iv)}</li>
            ))}
          </ol>
          {state && (
            <Button size="sm" onClick={() => state.replaceAll(interventions)} data-testid="reopened-use-interventions" title="Replace the workspace's intervention list with these">
              Use these interventions
            </Button>
          )}
        </>
      )}
      <StaleInterventions ranWith={interventions} testId="reopened-interventions-stale" />
    </div>
  );
}

/** Drawn by ViewLayout at the top of the view the run was pinned in. */
export function ReopenedRun() {
  const view = useViewId();
  const api = useReopen();
  const run = api?.reopened;
  if (!api || !run || run.view !== view) return null;
  const spec = asFigureSpec(run.figure);
  const params = typeof run.params === 'object' && run.params !== null && !Array.isArray(run.params) ? Object.entries(run.params) : [];
  return (
    <Panel
      title={`Reopened from the project: ${run.title}`}
      subtitle={`pinned ${new Date(run.createdAt).toLocaleString()}`}
      actions={
        <Button size="sm" onClick={api.close} data-testid="reopened-close">
          Close
        </Button>
      }
      testId="reopened-run"
    >
      {params.length > 0 && (
        <dl className="detail-list reopened-params" data-testid="reopened-params">
          {params.map(([k, v]) => (
            <div key={k} className="detail-item">
              <dt>{k}</dt>
              <dd className="mono">{shortValue(v)}</dd>
            </div>
          ))}
        </dl>
      )}
      {run.interventions !== undefined && <RanWith interventions={run.interventions} />}
      {spec ? <PlotlyFigure spec={{ ...spec, layout: { ...spec.layout, width: undefined } }} testId="reopened-figure" /> : <p className="figure-error">This pinned figure is not a Plotly figure.</p>}
    </Panel>
  );
}
