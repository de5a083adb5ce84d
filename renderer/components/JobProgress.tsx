/**
 * Progress of a running job: what it is doing, units done of total, time left, and a Cancel
 * button. Re-renders once a second while running so "time left" keeps moving.
 */
import { useEffect, useState } from 'react';
import type { Progress } from '../worker/contracts.ts';
import { formatBytes, formatDuration } from '../app/format.ts';
import { remainingMs } from '../app/format.ts';
import { Button } from './Button.tsx';

export interface JobProgressProps {
  readonly progress: Progress | null;
  readonly stageStartedAt: number;
  readonly onCancel: () => void;
  readonly label?: string;
}

function amount(p: Progress): string {
  if (p.unit === 'bytes') return `${formatBytes(p.done)} of ${formatBytes(p.total)}`;
  return `${p.done} of ${p.total} ${p.unit}`;
}

export function JobProgress({ progress, stageStartedAt, onCancel, label }: JobProgressProps) {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const fraction = progress && progress.total > 0 ? Math.min(1, progress.done / progress.total) : null;
  const left = progress ? remainingMs(stageStartedAt, Math.max(now, performance.now()), progress.done, progress.total) : null;
  return (
    <div className="job-progress" role="status" aria-live="polite" data-testid="job-progress">
      <div className="job-progress-text">
        <span className="job-progress-stage">{label ?? progress?.stage ?? 'starting'}</span>
        {progress && progress.total > 1 && <span className="job-progress-amount">{amount(progress)}</span>}
        {left !== null && <span className="job-progress-eta">about {formatDuration(left)} left</span>}
      </div>
      <div className="progress-track" aria-hidden="true">
        <div
          className={fraction === null ? 'progress-fill progress-indeterminate' : 'progress-fill'}
          style={fraction === null ? undefined : { width: `${(fraction * 100).toFixed(1)}%` }}
        />
      </div>
      <Button size="sm" variant="ghost" onClick={onCancel} data-testid="cancel-job">
        Cancel
      </Button>
    </div>
  );
}
