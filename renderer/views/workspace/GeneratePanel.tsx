/** Generation from the prompt with sampling controls; the continuation can become the prompt. */
import { useState } from 'react';
import { useModel } from '../../app/model-state.tsx';
import { usePrompt } from '../../app/prompt-state.tsx';
import { useJob } from '../../app/use-job.ts';
import { Button } from '../../components/Button.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { StaleInterventions } from '../../interventions/StaleInterventions.tsx';
import { Panel } from '../../components/Panel.tsx';
import { TokenStrip } from '../../prompt/TokenStrip.tsx';
import type { SamplingParams } from '../../worker/contracts.ts';
import { usePromptInput } from '../use-prompt-input.ts';
import { SamplingControls } from './SamplingControls.tsx';

const DEFAULT_SAMPLING: SamplingParams = { temperature: 0, topK: 0, topP: 1, seed: 0, maxNewTokens: 40 };

export function GeneratePanel() {
  const { card } = useModel();
  const { clean } = usePrompt();
  const { ids, blocked } = usePromptInput();
  const [sampling, setSampling] = useState(DEFAULT_SAMPLING);
  const job = useJob('generate');
  const result = job.state.status === 'done' ? job.state.result : null;
  const running = job.state.status === 'running';
  const generate = () => ids && void job.run({ ids, ...sampling });
  return (
    <Panel
      title="Generate"
      subtitle="greedy at temperature 0; seeded sampling otherwise"
      actions={
        <Button variant="primary" disabled={!ids || running} onClick={generate} data-testid="generate-run">
          {running ? 'Generating…' : 'Generate'}
        </Button>
      }
      testId="generate"
    >
      <SamplingControls value={sampling} onChange={setSampling} nCtx={card?.nCtx ?? 512} />
      {blocked && !running && <p className="view-blocked">{blocked}</p>}
      <JobStatus state={job.state} onCancel={job.cancel} />
      <StaleInterventions ranWith={result?.interventions} onRerun={generate} rerunDisabled={!ids || running} />
      {result && (
        <div className="generation" data-testid="generation">
          <p className="generation-text">
            <span className="generation-prompt">{clean.text}</span>
            <span className="generation-new">{result.text ?? result.newTokens.map((t) => t.text).join('')}</span>
          </p>
          <TokenStrip tokens={result.newTokens} />
          <div className="generation-actions">
            <span className="job-note">
              {result.newTokens.length} tokens · stopped: {result.stopped.replace('_', ' ')}
            </span>
            <Button size="sm" variant="ghost" onClick={() => clean.setText(clean.text + (result.text ?? ''))}>
              Append to prompt
            </Button>
          </div>
        </div>
      )}
    </Panel>
  );
}
