/** The notebook run under the toolbar: progress with Cancel, then what the last run did. */
import type { JobState } from '../app/use-job.ts';
import { formatDuration } from '../app/format.ts';
import { JobProgress } from '../components/JobProgress.tsx';
import { Message } from '../components/Message.tsx';
import type { RunRecord } from './run-record.ts';

export interface RunStatusProps {
  readonly job: JobState<'notebook'>;
  readonly record: RunRecord;
  readonly projectName: string | null;
  onCancel(): void;
}

function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : formatDuration(ms);
}

export function RunStatus({ job, record, projectName, onCancel }: RunStatusProps) {
  if (job.status === 'running') return <JobProgress progress={job.progress} stageStartedAt={job.startedAt} onCancel={onCancel} />;
  if (job.status === 'failed') {
    return (
      <Message tone="error" title="The notebook could not run">
        {job.error.message}
      </Message>
    );
  }
  const s = record.summary;
  return (
    <>
      {job.status === 'cancelled' && (
        <p className="job-note" data-testid="job-cancelled">
          Cancelled.
        </p>
      )}
      {s && job.status !== 'cancelled' && (
        <p className="nb-summary" data-testid="nb-summary">
          Ran {s.cells} cells on {s.backend === 'webgpu' ? 'WebGPU' : 'the CPU'} in {duration(s.ms)} ·{' '}
          <span className="nb-count" data-testid="run-computed">
            {s.computed}
          </span>{' '}
          {s.computed === 1 ? 'step' : 'steps'} computed ·{' '}
          <span className="nb-count" data-testid="run-cached">
            {s.cached}
          </span>{' '}
          from the cache · {s.inProject ? `results kept in “${projectName ?? 'the project'}”` : 'no project open: results are kept until the page is closed'}
        </p>
      )}
      {record.failure && job.status === 'done' && (
        <Message tone="error" title="A cell failed">
          {record.failure.message}
        </Message>
      )}
      {s && s.cacheProblems.length > 0 && (
        <Message tone="warning" title="Results were computed but not kept">
          {s.cacheProblems.join(' ')}
        </Message>
      )}
    </>
  );
}
