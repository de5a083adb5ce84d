/**
 * Dictionary features: a dictionary's feature dashboards (registry method "feature-dashboards",
 * run by the worker's `method` job over seeded samples of the model), steering with a feature
 * beside the clean text ("feature-steer"), and "which features fire here?" on the current prompt
 * ("feature-search"). The dictionary is a built-in SAE or a folder the user opened.
 *
 * "Compute dashboards for all features" runs every corpus text once and computes every feature
 * (the worker's `dashboards` job, which packs the result into chunks of features before posting
 * it, analysis/registry/dashboard-artifact.ts); the chunks are stored in the project database
 * under (model identity, dictionary identity, corpus, settings), so the same choice later — after
 * a reload too — shows the dashboards at once; another corpus is computed and stored separately.
 * A cancelled run stores nothing (its partial result is discarded).
 *
 * Choosing a feature unpacks that feature only, from the chunk that holds it (read from the store,
 * or from the fresh run's chunks), so it costs the same for a 65k-feature SAE as for 256 features.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { DashboardKey } from '../../../analysis/registry/dashboard-artifact.ts';
import { chunkOf, dashboardKeyString, focusedDashboards, unpackFeature } from '../../../analysis/registry/dashboard-artifact.ts';
import { identityKey } from '../../../analysis/formats/model-identity.ts';
import { useModel } from '../../app/model-state.tsx';
import { useProjects } from '../../projects/projects-state.tsx';
import type { DashboardRow } from '../../storage/dashboards.ts';
import { loadDashboardFeature, loadDashboards, saveDashboards } from '../../storage/dashboards.ts';
import type { FeatureJson } from '../../../analysis/registry/dictionaries.ts';
import { featureDashboardsStep, focusedFeature } from '../../../analysis/registry/dictionaries.ts';
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
import { crossLayerRefusal, openedOptions, SAE_CHOICES, useOpenedDictionaries } from './dictionary-choice.ts';
import { OpenDictionaryFolder } from './OpenDictionaryFolder.tsx';
import { SpliceChoice } from './SpliceChoice.tsx';
import { FeatureContexts } from './FeatureContexts.tsx';
import { FeatureSearchPanel } from './FeatureSearchPanel.tsx';
import { SteeringPanel } from './SteeringPanel.tsx';

const TOP_CONTEXTS = 10;

export function DictionaryView() {
  const input = usePromptInput();
  const { card, load } = useModel();
  const { db } = useProjects();
  const job = useViewJob('dashboards');
  const opened = useOpenedDictionaries();
  const options = useMemo(() => [...SAE_CHOICES, ...openedOptions(opened)], [opened]);
  const [choiceValue, setChoiceValue] = useState(SAE_CHOICES[0].value);
  const option = options.find((o) => o.value === choiceValue) ?? options[0];
  const [feature, setFeature] = useState(0);
  const [samples, setSamples] = useState(24);
  const [length, setLength] = useState(48);
  const [stored, setStored] = useState<{ key: string; row: DashboardRow | null } | null>(null);
  // The last feature read from the store, with the header row it was read under.
  const [storedFeature, setStoredFeature] = useState<{ row: DashboardRow; feature: FeatureJson } | null>(null);
  const [storeProblem, setStoreProblem] = useState<string | null>(null);
  const ranKey = useRef<{ key: DashboardKey; text: string } | null>(null);

  // Stored dashboards are keyed by the model's identity, the one every cache and project uses.
  const key: DashboardKey | null = card && { model: identityKey(card.identity), dictionary: option.identity, corpus: { samples, length, seed: 0 }, topContexts: TOP_CONTEXTS };
  const keyText = key && dashboardKeyString(key);

  // Stored dashboards of this model, dictionary, corpus and settings, if they were computed before.
  useEffect(() => {
    if (key === null || keyText === null) return;
    let live = true;
    loadDashboards(db, key).then(
      (row) => live && setStored({ key: keyText, row: row ?? null }),
      (e: unknown) => live && setStoreProblem(`Stored dashboards could not be read: ${(e as Error).message}`),
    );
    return () => {
      live = false;
    };
    // keyText stands for key (a new object every render).
  }, [db, keyText]);

  // A finished run (packed by the worker) is stored under the key it ran with; a cancelled or
  // failed run stores nothing.
  const fresh = job.result;
  useEffect(() => {
    const ran = ranKey.current;
    if (fresh === null || ran === null) return;
    ranKey.current = null;
    setStoreProblem(null);
    saveDashboards(db, ran.key, fresh).then(
      (row) => setStored({ key: ran.text, row }),
      (e: unknown) => setStoreProblem(`The dashboards were computed but not stored: ${(e as Error).message}`),
    );
  }, [db, fresh]);

  const row = stored !== null && stored.key === keyText ? stored.row : null;
  const freshParams = job.params?.params as { dictionary?: string; hook?: string; samples?: number; length?: number } | undefined;
  const freshIsCurrent = fresh !== null && fresh.header.dSae > 0 && freshParams?.dictionary === option.dictionary && freshParams.hook === option.hook && freshParams.samples === samples && freshParams.length === length;
  // The width is known once dashboards exist; before that the method checks the feature id.
  const dSae = row ? row.header.dSae : freshIsCurrent ? fresh.header.dSae : undefined;
  // The feature field's own registry: a refused id blocks the dashboard, steering alike.
  const featureField = useFieldProblemRegistry();
  // A cross-layer transcoder is listed (it was opened here) but these methods take one dictionary.
  const refusal = crossLayerRefusal(option);
  const choice: FeatureChoice = { dictionary: option.dictionary, hook: option.hook, feature, blocked: refusal ?? featureField.first };
  const focus = dSae !== undefined && feature < dSae ? feature : 0;

  // Stored dashboards: read the chunk of the chosen feature, and nothing else.
  useEffect(() => {
    if (row === null || freshIsCurrent) return;
    let live = true;
    loadDashboardFeature(db, row, focus).then(
      (loaded) => live && setStoredFeature({ row, feature: loaded }),
      (e: unknown) => live && setStoreProblem(`Stored dashboards could not be read: ${(e as Error).message}`),
    );
    return () => {
      live = false;
    };
  }, [db, row, focus, freshIsCurrent]);

  // The fresh run's own chunks when it is of the current choice; else the feature read from the
  // store (the previous one stays shown until the chosen one is read).
  const shown = useMemo(() => {
    if (freshIsCurrent) return focusedDashboards(fresh.header, unpackFeature(fresh.chunks[chunkOf(fresh.header, focus)], focus));
    return row !== null && storedFeature?.row === row ? focusedDashboards(row.header, storedFeature.feature) : null;
  }, [row, storedFeature, fresh, freshIsCurrent, focus]);
  const views = useMemo(
    () =>
      shown && {
        histogram: featureDashboardsStep.view(shown, 'histogram'),
        logits: featureDashboardsStep.view(shown, 'logits'),
        neighbours: featureDashboardsStep.view(shown, 'neighbours'),
      },
    [shown],
  );
  const runParams = { dictionary: option.dictionary, ...(option.hook === undefined ? {} : { hook: option.hook }), samples, length, seed: 0, topContexts: TOP_CONTEXTS };
  // A pinned dashboard keeps the feature it showed (every feature stays in the dashboards store).
  const pinJson = () => ({ method: 'feature-dashboards', params: { ...runParams, feature: shown?.focus ?? focus }, ...shown });
  const f = shown ? focusedFeature(shown) : null;
  // Figure titles short enough for the figure layer's 720 px width; the card caption has the rest.
  const tag = shown ? `${shown.hookOut} feature ${shown.focus}` : '';
  const revision = `${row?.createdAt ?? job.runKey}-${shown?.focus ?? focus}`;

  return (
    <ViewLayout
      title="Dictionary features"
      description="A sparse dictionary's features on the open model: where a feature fires over the model's own samples, what it writes to the logits, its nearest features, steering with it, and which features fire on the prompt."
      onRun={() => {
        if (key !== null && keyText !== null) ranKey.current = { key, text: keyText };
        job.run({ params: { ...runParams, feature } });
      }}
      // The dashboards read the model's own samples, not the prompt.
      blocked={card ? (refusal ?? featureField.first) : load.status === 'running' ? 'Loading the model…' : 'Open a model first.'}
      running={job.running}
      runLabel={row ? 'Recompute dashboards' : 'Compute dashboards for all features'}
      status={<JobStatus state={job.state} onCancel={job.cancel} />}
      params={
        <>
          <SelectField label="Dictionary" value={option.value} options={options} onChange={setChoiceValue} width="lg" testId="dictionary-choice" />
          <OpenDictionaryFolder onOpened={(folder) => setChoiceValue(openedOptions([folder])[0].value)} />
          <SpliceChoice />
          <FieldProblemsProvider value={featureField.report}>
            <NumberField label="Feature" value={feature} onChange={setFeature} min={0} max={dSae !== undefined ? dSae - 1 : undefined} hint={dSae !== undefined ? `0 … ${dSae - 1}` : undefined} testId="dictionary-feature" />
          </FieldProblemsProvider>
          <NumberField label="Samples" value={samples} onChange={setSamples} min={1} max={4096} hint="corpus: seeded samples" testId="dictionary-samples" />
          <NumberField label="Length" value={length} onChange={setLength} min={2} max={1024} hint="tokens per sample" testId="dictionary-length" />
        </>
      }
      testId="view-dictionaries"
    >
      {storeProblem && <Message tone="warning">{storeProblem}</Message>}
      {refusal && (
        <Message tone="info">
          <span data-testid="dictionary-cross-layer">{refusal}</span>
        </Message>
      )}
      {!refusal && !shown && !freshIsCurrent && stored !== null && stored.key === keyText && stored.row === null && !job.running && (
        <p className="hint" data-testid="dashboards-missing">
          No stored dashboards for this dictionary and corpus yet. Computing them runs every corpus text once and keeps every feature’s top contexts, histogram, density, logit weights and neighbours in this browser’s project database.
        </p>
      )}
      {shown && f && views && (
        <>
          <DetailList
            items={[
              ['Dictionary', `${shown.dictionary} (${shown.dSae} features)`],
              ['Corpus', `${shown.sequences} samples, ${shown.positions} positions`],
              ['Stored', row ? `${(row.bytes / 1024).toFixed(1)} KB, computed ${new Date(row.createdAt).toLocaleString()}` : 'not stored'],
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
              revision={revision}
              exports={{ name: `feature-${shown.focus}-histogram`, table: () => viewToTable(views.histogram), json: pinJson }}
            />
            <FigureCard
              title="Logit weights"
              caption="top and bottom tokens of W_dec[f] · W_U"
              spec={methodFigure(views.logits, 'bar', { title: `${tag}: logit weights W_dec[f] · W_U` })}
              testId="feature-logits"
              revision={revision}
              exports={{ name: `feature-${shown.focus}-logits`, table: () => viewToTable(views.logits), json: pinJson }}
            />
            <FigureCard
              title="Nearest features"
              caption="by decoder cosine"
              spec={methodFigure(views.neighbours, 'table', { title: `${tag}: nearest features by decoder cosine` })}
              testId="feature-neighbours"
              revision={revision}
              exports={{ name: `feature-${shown.focus}-neighbours`, table: () => viewToTable(views.neighbours), json: pinJson }}
            />
          </div>
        </>
      )}
      <SteeringPanel choice={choice} input={input} />
      <FeatureSearchPanel choice={choice} input={input} onPick={setFeature} />
    </ViewLayout>
  );
}
