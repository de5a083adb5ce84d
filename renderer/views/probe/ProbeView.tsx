/**
 * Linear probes by layer (analysis/methods/probe.ts): activations at a hook and position,
 * a classifier per layer, train/test accuracy and AUC beside the majority baseline, and the
 * best layer's probe direction decoded through the LM head.
 */
import { useMemo, useState } from 'react';
import { useModel } from '../../app/model-state.tsx';
import { NumberField, SelectField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Message } from '../../components/Message.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import { lines } from '../../figures/charts.ts';
import { FigureCard } from '../../figures/FigureCard.tsx';
import type { ProbeMethod, ProbeParams, ProbePosition } from '../../worker/method-contracts.ts';
import { DecodedDirectionCard } from '../shared/DecodedDirectionCard.tsx';
import { useViewJob } from '../shared/use-view-job.ts';
import { ViewLayout } from '../ViewLayout.tsx';

const HOOKS = ['resid_pre', 'resid_mid', 'resid_post', 'attn_out', 'mlp_out'].map((h) => ({ value: h, label: h }));

export function ProbeView() {
  const { card } = useModel();
  const job = useViewJob('probe');
  const [dataset, setDataset] = useState<ProbeParams['dataset']>({ kind: 'builtin' });
  const [hook, setHook] = useState('resid_post');
  const [position, setPosition] = useState<ProbePosition>('last');
  const [method, setMethod] = useState<ProbeMethod>('logistic');
  const [testFraction, setTestFraction] = useState(0.3);
  const [seed, setSeed] = useState(0);
  const r = job.result;
  const figure = useMemo(() => {
    if (!r) return null;
    const x = r.layers.map((l) => `L${l.layer}`);
    return lines({
      x,
      title: `Probe accuracy by layer (${r.method.replace('_', ' ')}, ${r.position} token)`,
      xTitle: 'layer',
      yTitle: 'accuracy / AUC',
      yRange: [0, 1.02],
      series: [
        { name: 'test accuracy', y: r.layers.map((l) => l.testAccuracy) },
        { name: 'train accuracy', y: r.layers.map((l) => l.trainAccuracy), dash: 'dot' },
        { name: 'test AUC', y: r.layers.map((l) => l.testAuc), color: '#7c3aed' },
        { name: 'majority baseline', y: r.layers.map((l) => l.testMajorityBaseline), dash: 'dash', color: '#6b7385' },
        ...(r.transfer ? [{ name: 'easy → hard', y: r.transfer.map((t) => t.easyToHard), color: '#0f9d76' }] : []),
      ],
    });
  }, [r]);
  const best = r ? r.layers.reduce((a, b) => (b.testAccuracy > a.testAccuracy ? b : a)) : null;
  return (
    <ViewLayout
      title="Linear probes"
      description="Is a property linearly readable from the activations, layer by layer? The built-in dataset asks whether a story's subject is a girl or a boy (held-out names in the test split)."
      onRun={() => job.run({ dataset, hook, position, method, testFraction, seed })}
      blocked={card ? null : 'Open a model first.'}
      running={job.running}
      runLabel="Train probes"
      status={<JobStatus state={job.state} onCancel={job.cancel} />}
      params={
        <>
          <div className="field">
            <span className="field-label">Dataset</span>
            <div className="dataset-choice">
              <Segmented label="" value={dataset.kind} options={[{ value: 'builtin', label: 'Built-in' }, { value: 'json', label: dataset.kind === 'json' ? dataset.name : 'JSON file…' }]} onChange={(k) => k === 'builtin' && setDataset({ kind: 'builtin' })} />
              <label className="btn btn-secondary btn-sm file-button">
                Choose file
                <input
                  type="file"
                  accept=".json,application/json"
                  className="visually-hidden"
                  onChange={async (e) => {
                    const file = e.currentTarget.files?.[0];
                    if (file) setDataset({ kind: 'json', name: file.name, text: await file.text() });
                  }}
                />
              </label>
            </div>
          </div>
          <SelectField label="Hook" value={hook} options={HOOKS} onChange={setHook} />
          <Segmented label="Token" value={position} options={[{ value: 'last', label: 'Last' }, { value: 'mean', label: 'Mean' }]} onChange={setPosition} />
          <SelectField label="Classifier" value={method} options={[{ value: 'logistic', label: 'Logistic regression' }, { value: 'naive_bayes', label: 'Naive Bayes' }, { value: 'mean_difference', label: 'Mean difference' }]} onChange={setMethod} width="md" />
          <NumberField label="Test fraction" value={testFraction} min={0.1} max={0.9} step={0.05} onChange={setTestFraction} />
          <NumberField label="Seed" value={seed} min={0} onChange={setSeed} />
        </>
      }
      testId="view-probe"
    >
      {r && figure && job.params && (
        <>
          <p className="job-note">
            {r.datasetName}: {r.nTrain} training and {r.nTest} test examples · classes {r.classes.join(', ')}
          </p>
          {r.transfer && <Message tone="info">Easy → hard transfer: supervision gap recovered at the best layer {r.transfer.reduce((a, b) => (b.gapRecovered > a.gapRecovered ? b : a)).gapRecovered.toFixed(2)}.</Message>}
          <FigureCard
            title="Accuracy by layer"
            spec={figure}
            testId="figure-probe"
            revision={job.runKey}
            exports={{
              name: `probe-${r.method}`,
              table: () => ({
                columns: ['layer', 'hook', 'train_accuracy', 'test_accuracy', 'train_auc', 'test_auc', 'majority_baseline'],
                rows: r.layers.map((l) => [l.layer, l.hook, l.trainAccuracy, l.testAccuracy, l.trainAuc, l.testAuc, l.testMajorityBaseline]),
              }),
              json: () => ({ analysis: 'probe', params: { ...job.params, dataset: job.params!.dataset.kind === 'json' ? { kind: 'json', name: job.params!.dataset.name } : job.params!.dataset }, ...r }),
            }}
          />
          {best?.decoded?.[0] && <DecodedDirectionCard title={`Probe direction at L${best.layer} decoded`} subtitle={`best test accuracy ${best.testAccuracy.toFixed(3)}`} decoded={best.decoded[0]} />}
        </>
      )}
    </ViewLayout>
  );
}
