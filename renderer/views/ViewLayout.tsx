/**
 * The frame every analysis view shares: title and one-line explanation, a parameter row ending
 * in the Run button, the job's status, then the results.
 */
import { Children, type ReactNode } from 'react';
import type { Intervention } from '../../analysis/hooks/interventions.ts';
import { Button } from '../components/Button.tsx';
import { FieldProblemsProvider, useFieldProblemRegistry } from '../components/field-problems.tsx';
import { useViewId } from '../app/view-active.tsx';
import { StaleInterventions } from '../interventions/StaleInterventions.tsx';
import type { RunSplice } from './dictionaries/spliced-dictionaries.ts';
import { ReopenedRun } from '../projects/ReopenedRun.tsx';
import { VIEW_HELP } from './view-help.ts';

export interface ViewLayoutProps {
  readonly title: string;
  readonly description: ReactNode;
  readonly params?: ReactNode;
  readonly runLabel?: string;
  readonly onRun?: () => void;
  /** Why Run is disabled (shown beside it), or null when it can run. */
  readonly blocked?: string | null;
  readonly running?: boolean;
  readonly status?: ReactNode;
  readonly children?: ReactNode;
  /**
   * The interventions the shown result ran with (the worker's record): when the list has changed
   * since, the results start with a notice and a rerun.
   */
  readonly ranWith?: readonly Intervention[] | null;
  /** What the shown result took from the splice choice (MethodRun.ranSplice): a change of the choice since gets the same notice. */
  readonly ranSplice?: RunSplice;
  readonly testId: string;
}

export function ViewLayout({ title, description, params, runLabel = 'Run', onRun, blocked = null, running, status, children, ranWith, ranSplice, testId }: ViewLayoutProps) {
  const viewId = useViewId();
  const fields = useFieldProblemRegistry();
  const refused = blocked ?? fields.first;
  const help = viewId !== null && Object.hasOwn(VIEW_HELP, viewId) ? VIEW_HELP[viewId] : null;
  return (
    <article className="view" data-testid={testId}>
      <header className="view-header">
        <h1 className="view-title">{title}</h1>
        <p className="view-description">{description}</p>
        {help && (
          <details className="view-help" data-testid="view-help">
            <summary>What this shows and how to read it</summary>
            <p>
              <strong>Shows:</strong> {help.shows}
            </p>
            <p>
              <strong>Reading it:</strong> {help.read}
            </p>
          </details>
        )}
      </header>
      {(params || onRun) && (
        <div className="view-params">
          <FieldProblemsProvider value={fields.report}>{params}</FieldProblemsProvider>
          {onRun && (
            <div className="view-run">
              <Button variant="primary" onClick={onRun} disabled={refused !== null || running} data-testid={`${testId}-run`}>
                {running ? 'Running…' : runLabel}
              </Button>
              {refused && <span className="view-blocked">{refused}</span>}
            </div>
          )}
        </div>
      )}
      {status && <div className="view-status">{status}</div>}
      <div className="view-results">
        <ReopenedRun />
        <StaleInterventions ranWith={ranWith} ranSplice={ranSplice} onRerun={onRun} rerunDisabled={refused !== null || running === true} />
        {children}
        {onRun && !running && Children.toArray(children).length === 0 && (
          <p className="view-empty" data-testid={`${testId}-empty`}>
            Nothing run yet: set the parameters above and press <strong>{runLabel}</strong>; the figures appear here.
          </p>
        )}
      </div>
    </article>
  );
}
