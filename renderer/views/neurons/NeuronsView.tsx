/**
 * LM-head decoding of one MLP neuron: what its input direction reads and its output direction
 * writes, as the tokens each promotes and suppresses (analysis/methods/neurons.ts).
 */
import { useState } from 'react';
import { useModel } from '../../app/model-state.tsx';
import { Checkbox, NumberField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import type { Table } from '../../export/table.ts';
import type { NeuronResult } from '../../worker/method-contracts.ts';
import { DecodedDirectionCard } from '../shared/DecodedDirectionCard.tsx';
import { TableCard } from '../shared/TableCard.tsx';
import { useViewJob } from '../shared/use-view-job.ts';
import { ViewLayout } from '../ViewLayout.tsx';

function neuronTable(r: NeuronResult): Table {
  const rows: (string | number)[][] = [];
  const directions = [['input', r.input], ['gate', r.gate], ['output', r.output]] as const;
  for (const [name, d] of directions) {
    if (!d) continue;
    d.top.forEach((t, k) => rows.push([r.layer, r.neuron, name, 'top', k + 1, t.id, t.token ?? '', t.value]));
    d.bottom.forEach((t, k) => rows.push([r.layer, r.neuron, name, 'bottom', k + 1, t.id, t.token ?? '', t.value]));
  }
  return { columns: ['layer', 'neuron', 'direction', 'end', 'rank', 'token_id', 'token', 'value'], rows };
}

export function NeuronsView() {
  const { card } = useModel();
  const job = useViewJob('neurons');
  const [layer, setLayer] = useState(0);
  const [neuron, setNeuron] = useState(0);
  const [topK, setTopK] = useState(10);
  const [gain, setGain] = useState(false);
  const r = job.result;
  return (
    <ViewLayout
      title="Neuron decoding"
      description="A neuron's input direction (what it reads) and output direction (what it writes), decoded through the unembedding: W_U·v, optionally after the final norm's gain."
      onRun={() => job.run({ layer, neuron, topK, applyNormGain: gain })}
      blocked={card ? null : 'Open a model first.'}
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
      testId="view-neurons"
    >
      {r && (
        <TableCard
          title={`Neuron L${r.layer}N${r.neuron}`}
          caption={card?.gatedMlp ? 'gated MLP: up, gate and down directions' : 'input and output directions'}
          exports={{ name: `neuron-L${r.layer}N${r.neuron}`, table: () => neuronTable(r), json: () => ({ analysis: 'neurons', params: job.params, ...r }) }}
          testId="table-neuron"
        >
          <div className="decoded-grid">
            <DecodedDirectionCard title={card?.gatedMlp ? 'Up projection (input)' : 'Input (W_in row)'} decoded={r.input} />
            {r.gate && <DecodedDirectionCard title="Gate (W_gate row)" decoded={r.gate} />}
            <DecodedDirectionCard title="Output (W_out column)" decoded={r.output} />
          </div>
        </TableCard>
      )}
    </ViewLayout>
  );
}
