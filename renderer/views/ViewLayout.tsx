/**
 * The frame every analysis view shares: title and one-line explanation, a parameter row ending
 * in the Run button, the job's status, then the results.
 */
import type { ReactNode } from 'react';
import { Button } from '../components/Button.tsx';
import { ReopenedRun } from '../projects/ReopenedRun.tsx';

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
  readonly testId: string;
}

export function ViewLayout({ title, description, params, runLabel = 'Run', onRun, blocked = null, running, status, children, testId }: ViewLayoutProps) {
  return (
    <article className="view" data-testid={testId}>
      <header className="view-header">
        <h1 className="view-title">{title}</h1>
        <p className="view-description">{description}</p>
      </header>
      {(params || onRun) && (
        <div className="view-params">
          {params}
          {onRun && (
            <div className="view-run">
              <Button variant="primary" onClick={onRun} disabled={blocked !== null || running} data-testid={`${testId}-run`}>
                {running ? 'Running…' : runLabel}
              </Button>
              {blocked && <span className="view-blocked">{blocked}</span>}
            </div>
          )}
        </div>
      )}
      {status && <div className="view-status">{status}</div>}
      <div className="view-results">
        <ReopenedRun />
        {children}
      </div>
    </article>
  );
}
