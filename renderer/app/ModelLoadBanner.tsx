/** Model loading progress and load errors, shown on every page (the model page has details). */
import { JobProgress } from '../components/JobProgress.tsx';
import { Message } from '../components/Message.tsx';
import { useModel } from './model-state.tsx';

export function ModelLoadBanner() {
  const { load, opening, cancelLoad, card } = useModel();
  if (load.status === 'running') {
    return (
      <div className="banner" data-testid="model-loading">
        <JobProgress progress={load.progress} stageStartedAt={load.stageStartedAt} onCancel={cancelLoad} label={`Opening ${opening ?? 'model'}: ${load.progress?.stage ?? 'starting'}`} />
      </div>
    );
  }
  if (load.status === 'failed') {
    return (
      <div className="banner">
        <Message tone="error" title={load.error.kind === 'format' ? 'This model cannot be opened' : 'Opening the model failed'}>
          <span data-testid="load-error">{load.error.message}</span>
          {card ? ` ${card.label} is still open.` : ''}
        </Message>
      </div>
    );
  }
  return null;
}
