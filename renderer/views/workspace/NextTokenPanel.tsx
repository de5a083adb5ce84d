/** Next-token top-k for the prompt, refreshed whenever the prompt's tokens or the model's interventions change. */
import { useEffect, useRef, useState } from 'react';
import { useJob } from '../../app/use-job.ts';
import { useViewActive } from '../../app/view-active.tsx';
import { NumberField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Panel } from '../../components/Panel.tsx';
import { useOptionalInterventions } from '../../interventions/intervention-state.tsx';
import { usePromptInput } from '../use-prompt-input.ts';
import { NextTokenList } from './NextTokenList.tsx';

export function NextTokenPanel() {
  const { ids } = usePromptInput();
  const [topK, setTopK] = useState(10);
  const job = useJob('nextToken');
  const { run } = job;
  const active = useViewActive();
  const key = ids?.join(',') ?? null;
  const revision = useOptionalInterventions()?.revision ?? 0;
  // Follows the prompt while on screen; catches up when shown again.
  const computed = useRef<string | null>(null);
  useEffect(() => {
    const request = `${key}|${topK}|${revision}`;
    if (key === null || !active || computed.current === request) return;
    computed.current = request;
    void run({ ids: key.split(',').map(Number), topK });
  }, [key, topK, revision, run, active]);
  const result = job.state.status === 'done' ? job.state.result : null;
  return (
    <Panel
      title="Next token"
      subtitle={result ? `entropy ${result.entropy.toFixed(2)} nats` : 'the model’s prediction after the prompt'}
      actions={<NumberField label="Top k" value={topK} min={1} max={50} onChange={setTopK} />}
      testId="next-token"
    >
      {job.state.status !== 'done' && <JobStatus state={job.state} onCancel={job.cancel} />}
      {result && <NextTokenList result={result} />}
    </Panel>
  );
}
