/**
 * "Which features fire here?" (registry method "feature-search"): the chosen dictionary's
 * features active at one position of the current prompt, strongest first; picking one makes it
 * the view's feature.
 */
import { useState } from 'react';
import type { SearchJson } from '../../../analysis/registry/dictionaries.ts';
import { featureSearchStep } from '../../../analysis/registry/dictionaries.ts';
import { viewToTable } from '../../../notebooks/figures/table.ts';
import { Button } from '../../components/Button.tsx';
import { FieldProblemsProvider, useFieldProblemRegistry } from '../../components/field-problems.tsx';
import { NumberField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { StaleInterventions } from '../../interventions/StaleInterventions.tsx';
import { methodFigure } from '../../figures/method-figure.ts';
import { PinToProject } from '../../projects/PinToProject.tsx';
import { TableCard } from '../shared/TableCard.tsx';
import { useViewJob } from '../shared/use-view-job.ts';
import type { PromptInput } from '../use-prompt-input.ts';
import type { FeatureChoice } from './dictionary-choice.ts';

export function FeatureSearchPanel({ choice, input, onPick }: { choice: Pick<FeatureChoice, 'dictionary' | 'hook'>; input: PromptInput; onPick: (feature: number) => void }) {
  const job = useViewJob('method');
  // The panel's fields report refused values here, so a refused value never runs with a stale one.
  const fields = useFieldProblemRegistry();
  const [position, setPosition] = useState(-1);
  const n = input.tokens?.length ?? 0;
  const blocked = input.blocked ?? fields.first;
  const r = (job.result?.result ?? null) as SearchJson | null;
  const ranWith = job.result?.interventions ?? null;
  const view = r ? featureSearchStep.view(r, 'features') : null;
  const exports = view && { name: 'feature-search', table: () => viewToTable(view), json: () => ({ method: 'feature-search', params: job.params?.params ?? null, ...r, interventions: ranWith }) };

  const run = () => {
    if (!input.ids) return;
    job.run({ method: 'feature-search', params: { dictionary: choice.dictionary, ...(choice.hook === undefined ? {} : { hook: choice.hook }), prompt: 0, position, top: 20 }, prompts: [{ ids: input.ids }] }, input.tokens ?? []);
  };

  return (
    <section className="figure-card dictionary-panel" data-testid="feature-search">
      <header className="figure-head">
        <span className="figure-title">Which features fire here?</span>
        <span className="figure-caption">the features active at a position of the prompt, strongest first; pick one to show its dashboard</span>
      </header>
      <FieldProblemsProvider value={fields.report}>
        <div className="view-params">
          <NumberField label="Position" value={position} onChange={setPosition} min={-Math.max(1, n)} max={Math.max(0, n - 1)} hint="−1 = the last token" testId="search-position" />
          <div className="view-run">
            <Button
              disabled={blocked !== null || job.running}
              data-testid="search-run"
              onClick={run}
            >
              {job.running ? 'Searching…' : 'Find features'}
            </Button>
            {blocked && <span className="view-blocked">{blocked}</span>}
          </div>
        </div>
      </FieldProblemsProvider>
      <JobStatus state={job.state} onCancel={job.cancel} />
      <StaleInterventions ranWith={ranWith} onRerun={run} rerunDisabled={blocked !== null || job.running} />
      {r && view && exports && (
        <TableCard title={view.title} exports={exports} testId="search-result">
          {r.features.length === 0 ? (
            <p className="hint">No feature is active here.</p>
          ) : (
            <div className="feature-chips">
              {r.features.map((f) => (
                <Button key={f.feature} size="sm" onClick={() => onPick(f.feature)} data-testid="search-feature" data-feature={f.feature} data-activation={f.activation} title={`activation ${f.activation.toPrecision(4)}`}>
                  f{f.feature} · {f.activation.toFixed(2)}
                </Button>
              ))}
            </div>
          )}
          <PinToProject title={view.title} spec={methodFigure(view, 'table')} exports={exports} />
        </TableCard>
      )}
    </section>
  );
}
