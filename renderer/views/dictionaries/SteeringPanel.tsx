/**
 * Steering with the chosen feature (registry method "feature-steer"): the prompt continued
 * greedily (or sampled) once clean and once with the feature added to, scaled or clamped in the
 * residual stream, side by side. Pins the run with the method's own `texts` table view.
 */
import { useState } from 'react';
import type { SteerJson } from '../../../analysis/registry/dictionaries.ts';
import { featureSteerStep } from '../../../analysis/registry/dictionaries.ts';
import { viewToTable } from '../../../notebooks/figures/table.ts';
import { Button } from '../../components/Button.tsx';
import { FieldProblemsProvider, useFieldProblemRegistry } from '../../components/field-problems.tsx';
import { NumberField, SelectField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { StaleInterventions } from '../../interventions/StaleInterventions.tsx';
import { methodFigure } from '../../figures/method-figure.ts';
import { PinToProject } from '../../projects/PinToProject.tsx';
import { TableCard } from '../shared/TableCard.tsx';
import { useViewJob } from '../shared/use-view-job.ts';
import type { PromptInput } from '../use-prompt-input.ts';
import type { FeatureChoice } from './dictionary-choice.ts';

type SteerMode = 'add' | 'scale' | 'clamp';

const MODES: readonly { value: SteerMode; label: string }[] = [
  { value: 'add', label: 'add value · W_dec[f]' },
  { value: 'scale', label: 'scale the feature by value' },
  { value: 'clamp', label: 'clamp the feature to value' },
];

export function SteeringPanel({ choice, input }: { choice: FeatureChoice; input: PromptInput }) {
  const job = useViewJob('method');
  // The panel's fields report refused values here, so a refused value never runs with a stale one.
  const fields = useFieldProblemRegistry();
  const [mode, setMode] = useState<SteerMode>('add');
  const [value, setValue] = useState(8);
  const [maxNewTokens, setMaxNewTokens] = useState(24);
  const r = (job.result?.result ?? null) as SteerJson | null;
  const ranWith = job.result?.interventions ?? null;
  const blocked = choice.blocked ?? input.blocked ?? fields.first;
  const view = r ? featureSteerStep.view(r, 'texts') : null;
  const exports = view && { name: `feature-${r!.feature}-steer`, table: () => viewToTable(view), json: () => ({ method: 'feature-steer', params: job.params?.params ?? null, ...r, interventions: ranWith }) };

  const run = () => {
    if (!input.ids) return;
    job.run(
      {
        method: 'feature-steer',
        params: { dictionary: choice.dictionary, ...(choice.hook === undefined ? {} : { hook: choice.hook }), feature: choice.feature, mode, value, prompt: 0, maxNewTokens, temperature: 0 },
        prompts: [{ ids: input.ids }],
      },
      input.tokens ?? [],
    );
  };

  return (
    <section className="figure-card dictionary-panel" data-testid="feature-steering">
      <header className="figure-head">
        <span className="figure-title">Steer with feature {choice.feature}</span>
        <span className="figure-caption">the prompt continued clean and with the feature changed (its error term kept, so only the feature’s change reaches the model)</span>
      </header>
      <FieldProblemsProvider value={fields.report}>
        <div className="view-params">
          <SelectField label="How" value={mode} options={MODES} onChange={setMode} width="md" testId="steer-mode" />
          <NumberField label="Value" value={value} onChange={setValue} min={-1000} max={1000} step={0.5} testId="steer-value" />
          <NumberField label="New tokens" value={maxNewTokens} onChange={setMaxNewTokens} min={1} max={512} testId="steer-tokens" />
          <div className="view-run">
            <Button
              variant="primary"
              disabled={blocked !== null || job.running}
              data-testid="steer-run"
              onClick={run}
            >
              {job.running ? 'Steering…' : 'Steer'}
            </Button>
            {blocked && <span className="view-blocked">{blocked}</span>}
          </div>
        </div>
      </FieldProblemsProvider>
      <JobStatus state={job.state} onCancel={job.cancel} />
      <StaleInterventions ranWith={ranWith} onRerun={run} rerunDisabled={blocked !== null || job.running} />
      {r && view && exports && (
        <TableCard title={view.title} caption="greedy continuations of the prompt" exports={exports} testId="steer-result">
          <div className="two-columns steer-texts">
            <div>
              <h4>Clean</h4>
              <p className="generation-text" data-testid="steer-clean">
                <span className="generation-prompt">{r.prompt}</span>
                <span className="generation-new">{r.clean.text}</span>
              </p>
            </div>
            <div>
              <h4>
                Feature {r.feature}: {r.mode} {r.value}
              </h4>
              <p className="generation-text" data-testid="steer-steered">
                <span className="generation-prompt">{r.prompt}</span>
                <span className="generation-new">{r.steered.text}</span>
              </p>
            </div>
          </div>
          <PinToProject title={view.title} spec={methodFigure(view, 'table')} exports={exports} />
        </TableCard>
      )}
    </section>
  );
}
