/** The state of a view's job under its parameters: progress, error, cancelled, or timing. */
import type { JobState } from '../app/use-job.ts';
import { formatDuration } from '../app/format.ts';
import type { JobKind } from '../worker/protocol.ts';
import { JobProgress } from './JobProgress.tsx';
import { Message } from './Message.tsx';

export function JobStatus<K extends JobKind>({ state, onCancel }: { state: JobState<K>; onCancel: () => void }) {
  switch (state.status) {
    case 'running':
      return <JobProgress progress={state.progress} stageStartedAt={state.stageStartedAt} onCancel={onCancel} />;
    case 'failed':
      return (
        <Message tone="error" title={state.error.kind === 'format' ? 'This model cannot be used' : 'The analysis failed'}>
          {state.error.message}
        </Message>
      );
    case 'cancelled':
      return <p className="job-note" data-testid="job-cancelled">Cancelled.</p>;
    case 'done':
      return <p className="job-note">Done in {state.elapsedMs < 1000 ? `${Math.round(state.elapsedMs)} ms` : formatDuration(state.elapsedMs)}.</p>;
    case 'idle':
      return null;
  }
}
