/**
 * LM-head decoding of one MLP neuron (registry method "neuron-decoding"): what its input
 * direction reads and its output direction writes, as the tokens each promotes and suppresses,
 * and the output direction's top and bottom tokens as the method's bar view.
 */
import { useMemo, useState } from 'react';
import { useModel } from '../../app/model-state.tsx';
import { Checkbox, NumberField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { MethodFigureCard } from '../../figures/MethodFigureCard.tsx';
import { viewToTable } from '../../../notebooks/figures/table.ts';
import type { Decoded } from '../shared/DecodedDirectionCard.tsx';
import { DecodedDirectionCard } from '../shared/DecodedDirectionCard.tsx';
import { TableCard } from '../shared/TableCard.tsx';
import { useMethodRun } from '../shared/use-method-run.ts';
import { ViewLayout } from '../ViewLayout.tsx';

type Tok = { readonly id: number; readonly token: string; readonly value: number | null };
type DecodedJson = { readonly top: readonly Tok[]; readonly bottom: readonly Tok[] };
/** The method's result (analysis/registry/neurons.ts). */
interface NeuronJson {
  readonly layer: number;
  readonly neuron: number;
  readonly input: DecodedJson;
  readonly gate: DecodedJson | null;
  readonly output: DecodedJson;
}

/** JSON has no NaN: a value the method could not compute is null, shown as NaN in the lists. */
function decoded(d: DecodedJson): Decoded {
  const tok = (t: Tok) => ({ id: t.id, token: t.token, value: t.value ?? Number.NaN });
  return { top: d.top.map(tok), bottom: d.bottom.map(tok) };
}

export function NeuronsView() {
  const { card } = useModel();
  const job = useMethodRun('neuron-decoding');
  const [layer, setLayer] = useState(0);
  const [neuron, setNeuron] = useState(0);
  const [topK, setTopK] = useState(10);
  const [gain, setGain] = useState(false);
  const r = job.result as unknown as NeuronJson | null;
  const params = { layer, neuron, topK, applyNormGain: gain };
  const tokens = useMemo(() => (job.result ? job.method.view(job.result, 'tokens') : null), [job.method, job.result]);
  return (
    <ViewLayout
      title="Neuron decoding"
      description="A neuron's input direction (what it reads) and output direction (what it writes), decoded through the unembedding: W_U·v, optionally after the final norm's gain."
      onRun={() => job.run(params)}
      blocked={card ? job.check(params) : 'Open a model first.'}
      running={job.running}
      runLabel="Decode neuron"
      status={<JobStatus state={job.state} onCancel={job.cancel} />}
      params={
        <>
          <NumberField label="Layer" value={layer} min={0} max={(card?.nLayers ?? 1) - 1} onChange={setLayer} />
          <NumberField label="Neuron" value={neuron} min={0} max={(card?.dMlp ?? 1) - 1} onChange={setNeuron} width="sm" />
          <NumberField label="Tokens" value={topK} min={1} max={50} onChange={setTopK} />
          <Checkbox label="Apply final norm gain" checked={gain} onChange={setGain} />
        </>
      }
      ranWith={job.ranWith}
      ranSplice={job.ranSplice}
      testId="view-neurons"
    >
      {r && tokens && (
        <div className="figure-stack">
          <TableCard
            title={`Neuron L${r.layer}N${r.neuron}`}
            caption={r.gate ? 'gated MLP: up, gate and down directions' : 'input and output directions'}
            exports={{ name: `neuron-L${r.layer}N${r.neuron}`, table: () => viewToTable(tokens), json: () => job.pin('tokens', 'table') }}
            testId="table-neuron"
          >
            <div className="decoded-grid">
              <DecodedDirectionCard title={r.gate ? 'Up projection (input)' : 'Input (W_in row)'} decoded={decoded(r.input)} />
              {r.gate && <DecodedDirectionCard title="Gate (W_gate row)" decoded={decoded(r.gate)} />}
              <DecodedDirectionCard title="Output (W_out column)" decoded={decoded(r.output)} />
            </div>
          </TableCard>
          <MethodFigureCard run={job} result={job.result!} view="output" type="bar" options={{ width: 900 }} title="Output direction" caption="W_U · W_out column: top and bottom tokens" testId="figure-neuron-output" exportName={`neuron-L${r.layer}N${r.neuron}-output`} />
        </div>
      )}
    </ViewLayout>
  );
}
