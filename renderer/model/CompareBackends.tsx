/**
 * "Compare backends": one forward pass of the open model on the current prompt, timed on the
 * CPU and on WebGPU (worker job compareBackends), so the choice of Auto can be checked here.
 */
import { idsOf, usePrompt } from '../app/prompt-state.tsx';
import { useJob } from '../app/use-job.ts';
import { Button } from '../components/Button.tsx';
import { JobStatus } from '../components/JobStatus.tsx';
import { Panel } from '../components/Panel.tsx';

function formatMs(ms: number): string {
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toPrecision(2)} ms`;
}

export function CompareBackends() {
  const job = useJob('compareBackends');
  const ids = idsOf(usePrompt().clean);
  const result = job.state.status === 'done' ? job.state.result : null;
  const fastest = result ? Math.min(...result.timings.map((t) => t.forwardMs ?? Infinity)) : Infinity;
  return (
    <Panel
      title="Compare backends"
      subtitle="Times one forward pass of the prompt on each backend (median of three after a warm-up). The backend not in use reads the weights again."
      actions={
        <Button onClick={() => ids && void job.run({ ids })} disabled={!ids || job.state.status === 'running'} data-testid="compare-backends">
          Time one forward on each
        </Button>
      }
      testId="compare-backends-panel"
    >
      <JobStatus state={job.state} onCancel={job.cancel} />
      {result && (
        <table className="data-table" data-testid="backend-timings">
          <thead>
            <tr>
              <th>Backend</th>
              <th>Adapter</th>
              <th className="num">One forward ({result.tokens} tokens)</th>
              <th>Note</th>
            </tr>
          </thead>
          <tbody>
            {result.timings.map((t) => (
              <tr key={t.backend} data-backend={t.backend}>
                <td>
                  {t.backend === 'webgpu' ? 'WebGPU' : 'CPU'}
                  {t.current ? ' (in use)' : ''}
                </td>
                <td>{t.adapter ?? '—'}</td>
                <td className="num">{t.forwardMs === null ? 'unavailable' : `${formatMs(t.forwardMs)}${t.forwardMs === fastest ? ' · fastest' : ''}`}</td>
                <td>{t.note ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
