/**
 * Linear probes by layer (registry method "probe"): activations at a hook and position, a
 * classifier per layer, train/test accuracy and AUC beside the majority baseline, easy→hard
 * transfer when the dataset has the split, and each layer's probe direction decoded through the
 * LM head: the method's views drawn by the figure layer.
 */
import { useRef, useState } from 'react';
import { useModel } from '../../app/model-state.tsx';
import { NumberField, SelectField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import { MethodFigureCard } from '../../figures/MethodFigureCard.tsx';
import type { MethodJobParams } from '../../worker/method-contracts.ts';
import { useMethodRun } from '../shared/use-method-run.ts';
import { ViewLayout } from '../ViewLayout.tsx';

const HOOKS = ['resid_pre', 'resid_mid', 'resid_post', 'attn_out', 'mlp_out'].map((h) => ({ value: h, label: h }));

type Dataset = NonNullable<MethodJobParams['dataset']>;

/** The parts of the method's result (analysis/registry/probe.ts) the view reads besides its views. */
interface ProbeJson {
  readonly classes: readonly string[];
  readonly nTrain: number;
  readonly nTest: number;
  readonly transfer: readonly unknown[] | null;
}

export function ProbeView() {
  const { card } = useModel();
  const job = useMethodRun('probe');
  const [dataset, setDataset] = useState<Dataset>({ kind: 'builtin' });
  const fileInput = useRef<HTMLInputElement>(null);
  const [ranOn, setRanOn] = useState('');
  const [hook, setHook] = useState('resid_post');
  const [position, setPosition] = useState<'last' | 'mean'>('last');
  const [method, setMethod] = useState('logistic');
  const [testFraction, setTestFraction] = useState(0.3);
  const [seed, setSeed] = useState(0);
  const r = job.result as unknown as ProbeJson | null;
  const params = { hook, position, method, testFraction, seed };
  return (
    <ViewLayout
      title="Linear probes"
      description="Is a property linearly readable from the activations, layer by layer? The built-in dataset asks whether a story's subject is a girl or a boy (held-out names in the test split)."
      onRun={() => {
        setRanOn(dataset.kind === 'builtin' ? 'subject gender (built-in)' : dataset.name);
        job.run(params, { dataset });
      }}
      blocked={card ? job.check(params) : 'Open a model first.'}
      running={job.running}
      runLabel="Train probes"
      status={<JobStatus state={job.state} onCancel={job.cancel} />}
      params={
        <>
          <div className="field">
            <span className="field-label">Dataset</span>
            <div className="dataset-choice">
              <Segmented
                label=""
                ariaLabel="Dataset"
                value={dataset.kind}
                options={[{ value: 'builtin', label: 'Built-in' }, { value: 'json', label: dataset.kind === 'json' ? dataset.name : 'JSON file…' }]}
                // The JSON option has no dataset until a file is chosen: it opens the picker.
                onChange={(k) => (k === 'builtin' ? setDataset({ kind: 'builtin' }) : fileInput.current?.click())}
              />
              <label className="btn btn-secondary btn-sm file-button">
                Choose file
                <input
                  ref={fileInput}
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
      ranWith={job.ranWith}
      ranSplice={job.ranSplice}
      testId="view-probe"
    >
      {r && (
        <>
          <p className="job-note">
            {ranOn}: {r.nTrain} training and {r.nTest} test examples · classes {r.classes.join(', ')}
          </p>
          <div className="figure-stack">
            <MethodFigureCard run={job} result={job.result!} view="accuracy" type="line" options={{ width: 900 }} title="Accuracy by layer" testId="figure-probe" exportName="probe-accuracy" />
            <MethodFigureCard run={job} result={job.result!} view="auc" type="line" options={{ width: 900 }} title="AUC by layer" testId="figure-probe-auc" exportName="probe-auc" />
            {r.transfer && <MethodFigureCard run={job} result={job.result!} view="transfer" type="line" options={{ width: 900 }} title="Easy → hard transfer" testId="figure-probe-transfer" exportName="probe-transfer" />}
            <MethodFigureCard run={job} result={job.result!} view="decoded" type="table" options={{ width: 900 }} title="Probe directions decoded" testId="figure-probe-decoded" exportName="probe-decoded" />
          </div>
        </>
      )}
    </ViewLayout>
  );
}
