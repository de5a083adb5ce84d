/**
 * Dictionary features: a built-in SAE's feature dashboards (registry method
 * "feature-dashboards", run by the worker's `method` job over seeded samples of the model),
 * steering with a feature beside the clean text ("feature-steer"), and "which features fire
 * here?" on the current prompt ("feature-search"). The dashboards hold every feature of the
 * dictionary, so another feature id of the same run is shown without running again.
 */
import { useMemo, useState } from 'react';
import { useModel } from '../../app/model-state.tsx';
import type { DashboardsJson } from '../../../analysis/registry/dictionaries.ts';
import { featureDashboardsStep } from '../../../analysis/registry/dictionaries.ts';
import { viewToTable } from '../../../notebooks/figures/table.ts';
import { FieldProblemsProvider, useFieldProblemRegistry } from '../../components/field-problems.tsx';
import { NumberField, SelectField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Message } from '../../components/Message.tsx';
import { FigureCard } from '../../figures/FigureCard.tsx';
import { methodFigure } from '../../figures/method-figure.ts';
import { DetailList } from '../shared/DetailList.tsx';
import { useViewJob } from '../shared/use-view-job.ts';
import { usePromptInput } from '../use-prompt-input.ts';
import { ViewLayout } from '../ViewLayout.tsx';
import type { FeatureChoice } from './dictionary-choice.ts';
import { SAE_CHOICES } from './dictionary-choice.ts';
import { FeatureContexts } from './FeatureContexts.tsx';
import { FeatureSearchPanel } from './FeatureSearchPanel.tsx';
import { SteeringPanel } from './SteeringPanel.tsx';

interface DashboardRunParams {
  readonly dictionary: string;
}

export function DictionaryView() {
  const input = usePromptInput();
  const { card, load } = useModel();
  const job = useViewJob('method');
  const [dictionary, setDictionary] = useState(SAE_CHOICES[0].value);
  const [feature, setFeature] = useState(0);
  const [samples, setSamples] = useState(24);
  const [length, setLength] = useState(48);
  const r = job.result as DashboardsJson | null;
  const ran = job.params?.params as DashboardRunParams | undefined;
  const current = r !== null && ran?.dictionary === dictionary;
  // The width is known once a run has opened the dictionary; before that the method checks it.
  const dSae = current ? r.dSae : undefined;
  // The feature field's own registry: a refused id blocks the dashboard, steering alike.
  const featureField = useFieldProblemRegistry();
  const choice: FeatureChoice = { dictionary, feature, blocked: featureField.first };
  const focus = r && current && feature < r.dSae ? feature : (r?.focus ?? 0);

  const shown = useMemo(() => (r ? { ...r, focus } : null), [r, focus]);
  const views = useMemo(
    () =>
      shown && {
        histogram: featureDashboardsStep.view(shown, 'histogram'),
        logits: featureDashboardsStep.view(shown, 'logits'),
        neighbours: featureDashboardsStep.view(shown, 'neighbours'),
      },
    [shown],
  );
  // A pinned dashboard keeps the whole run (every feature) with the feature it showed.
  const pinJson = () => ({ method: 'feature-dashboards', params: { ...ran, feature: focus }, ...shown });
  const f = shown ? shown.features[shown.focus] : null;
  // Figure titles short enough for the figure layer's 720 px width; the card caption has the rest.
  const tag = shown ? `${shown.hookOut} feature ${shown.focus}` : '';

  return (
    <ViewLayout
      title="Dictionary features"
      description="A sparse dictionary's features on the open model: where a feature fires over the model's own samples, what it writes to the logits, its nearest features, steering with it, and which features fire on the prompt."
      onRun={() =>
        job.run({ method: 'feature-dashboards', params: { dictionary, feature, samples, length, seed: 0, topContexts: 10 }, prompts: null })
      }
      // The dashboards read the model's own samples, not the prompt.
      blocked={card ? featureField.first : load.status === 'running' ? 'Loading the model…' : 'Open a model first.'}
      running={job.running}
      runLabel="Open dashboard"
      status={<JobStatus state={job.state} onCancel={job.cancel} />}
      params={
        <>
          <SelectField label="Dictionary" value={dictionary} options={SAE_CHOICES} onChange={setDictionary} width="lg" testId="dictionary-choice" />
          <FieldProblemsProvider value={featureField.report}>
            <NumberField label="Feature" value={feature} onChange={setFeature} min={0} max={dSae !== undefined ? dSae - 1 : undefined} hint={dSae !== undefined ? `0 … ${dSae - 1}` : undefined} testId="dictionary-feature" />
          </FieldProblemsProvider>
          <NumberField label="Samples" value={samples} onChange={setSamples} min={1} max={4096} hint="corpus: seeded samples" testId="dictionary-samples" />
          <NumberField label="Length" value={length} onChange={setLength} min={2} max={1024} hint="tokens per sample" testId="dictionary-length" />
        </>
      }
      testId="view-dictionaries"
    >
      {r && !current && <Message tone="info">These dashboards are of {r.dictionary}; open the dashboard again for the dictionary now chosen.</Message>}
      {shown && f && views && (
        <>
          <DetailList
            items={[
              ['Dictionary', `${shown.dictionary} (${shown.dSae} features)`],
              ['Corpus', `${shown.sequences} samples, ${shown.positions} positions`],
              ['Feature', shown.focus],
              ['Firing density', `${(100 * f.density).toFixed(2)}%`],
              ['Max activation', f.maxActivation],
              ['Mean activation (when firing)', f.meanActivation],
            ]}
            testId="feature-summary"
          />
          <div className="figure-stack">
            <FeatureContexts result={shown} pinJson={pinJson} />
            <FigureCard
              title="Activation histogram"
              caption={views.histogram.title}
              spec={methodFigure(views.histogram, 'bar', { title: `${tag}: activation histogram` })}
              testId="feature-histogram"
              revision={`${job.runKey}-${shown.focus}`}
              exports={{ name: `feature-${shown.focus}-histogram`, table: () => viewToTable(views.histogram), json: pinJson }}
            />
            <FigureCard
              title="Logit weights"
              caption="top and bottom tokens of W_dec[f] · W_U"
              spec={methodFigure(views.logits, 'bar', { title: `${tag}: logit weights W_dec[f] · W_U` })}
              testId="feature-logits"
              revision={`${job.runKey}-${shown.focus}`}
              exports={{ name: `feature-${shown.focus}-logits`, table: () => viewToTable(views.logits), json: pinJson }}
            />
            <FigureCard
              title="Nearest features"
              caption="by decoder cosine"
              spec={methodFigure(views.neighbours, 'table', { title: `${tag}: nearest features by decoder cosine` })}
              testId="feature-neighbours"
              revision={`${job.runKey}-${shown.focus}`}
              exports={{ name: `feature-${shown.focus}-neighbours`, table: () => viewToTable(views.neighbours), json: pinJson }}
            />
          </div>
        </>
      )}
      <SteeringPanel choice={choice} input={input} />
      <FeatureSearchPanel dictionary={dictionary} input={input} onPick={setFeature} />
    </ViewLayout>
  );
}
