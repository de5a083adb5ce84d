/**
 * Path patching (analysis/methods/path-patching.ts): every head as a sender, its clean output
 * reaching only the receiver (a head's q/k/v input, or the logits) with everything else frozen
 * at the corrupted run. Grid of the normalised metric per sender.
 */
import { useMemo, useState } from 'react';
import { useModel } from '../../app/model-state.tsx';
import { Checkbox, NumberField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import { cellOf, headGrid } from '../../figures/charts.ts';
import { FigureCard } from '../../figures/FigureCard.tsx';
import type { ReceiverParams } from '../../worker/method-contracts.ts';
import type { CorruptionChoice } from '../shared/CorruptionFields.tsx';
import { CorruptionFields } from '../shared/CorruptionFields.tsx';
import { DetailList } from '../shared/DetailList.tsx';
import type { MetricChoice } from '../shared/MetricFields.tsx';
import { MetricFields, metricBlocked, metricCaption } from '../shared/MetricFields.tsx';
import { corruptionParams } from '../shared/use-corruption.ts';
import { usePairInput } from '../shared/use-pair-input.ts';
import { useViewJob } from '../shared/use-view-job.ts';
import { vocabFrom } from '../shared/vocab.ts';
import { ViewLayout } from '../ViewLayout.tsx';

type ReceiverKind = 'logits' | 'q' | 'k' | 'v';

export function PathPatchingView() {
  const { card } = useModel();
  const pair = usePairInput();
  const job = useViewJob('pathPatching');
  const [kind, setKind] = useState<ReceiverKind>('logits');
  const [receiver, setReceiver] = useState({ layer: 1, head: 0 });
  const [recomputeMlps, setRecomputeMlps] = useState(false);
  const [corruption, setCorruption] = useState<CorruptionChoice>({ kind: 'tokens' });
  const [metric, setMetric] = useState<MetricChoice>({ answer: undefined, wrong: undefined, pos: undefined });
  const [sender, setSender] = useState<{ layer: number; head: number } | null>(null);
  const chosen = corruptionParams(corruption, pair);
  const r = job.result;
  const receiverParams: ReceiverParams = kind === 'logits' ? 'logits' : { ...receiver, input: kind };
  const z = useMemo(() => (r ? Array.from({ length: r.shape[0] }, (_, l) => Array.from(r.normalized.subarray(l * r.shape[1], (l + 1) * r.shape[1]))) : null), [r]);
  const receiverLabel = (p: ReceiverParams) => (p === 'logits' ? 'the logits' : `L${p.layer}H${p.head}.${p.input}`);
  const spec = useMemo(
    () => (z && job.params ? headGrid({ z, title: `Path patching: senders → ${receiverLabel(job.params.receiver)}`, valueLabel: 'normalised metric', scale: 'diverging', selectedHead: sender }) : null),
    [z, job.params, sender],
  );
  const vocab = vocabFrom(r?.tokenTexts, job.tokens, pair.corrupted);
  return (
    <ViewLayout
      title="Path patching"
      description="Each head in turn sends its clean output; only the receiver sees it (everything else frozen at the corrupted run). Senders that matter for the receiver light up."
      onRun={() => {
        if (!pair.clean || !chosen.params) return;
        setSender(null);
        job.run({ clean: pair.clean.map((t) => t.id), corruption: chosen.params, receiver: receiverParams, recomputeMlps, answer: metric.answer, wrong: metric.wrong, pos: metric.pos }, pair.clean);
      }}
      blocked={chosen.blocked ?? metricBlocked(metric)}
      running={job.running}
      runLabel="Patch every path"
      status={<JobStatus state={job.state} onCancel={job.cancel} />}
      params={
        <>
          <Segmented label="Receiver" value={kind} options={[{ value: 'logits', label: 'Logits' }, { value: 'q', label: 'Head q' }, { value: 'k', label: 'Head k' }, { value: 'v', label: 'Head v' }]} onChange={setKind} />
          {kind !== 'logits' && (
            <>
              <NumberField label="Receiver layer" value={receiver.layer} min={0} max={(card?.nLayers ?? 1) - 1} onChange={(layer) => setReceiver({ ...receiver, layer })} />
              <NumberField label="Receiver head" value={receiver.head} min={0} max={(card?.nHeads ?? 1) - 1} onChange={(head) => setReceiver({ ...receiver, head })} />
            </>
          )}
          <Checkbox label="Let MLPs respond" checked={recomputeMlps} onChange={setRecomputeMlps} />
          <CorruptionFields value={corruption} onChange={setCorruption} />
          <MetricFields value={metric} onChange={setMetric} tokens={pair.clean} wrongAuto="top token on the corrupted prompt" />
        </>
      }
      testId="view-path-patching"
    >
      {r && spec && z && job.params && (
        <div className="figure-stack">
          <FigureCard
            title="Senders"
            caption={`${metricCaption(vocab, r.answer, r.wrong, job.params.pos ?? job.tokens.length - 1)} · clean ${r.cleanMetric.toFixed(3)} · corrupted ${r.corruptedMetric.toFixed(3)}`}
            spec={spec}
            onClick={(p) => {
              const c = cellOf(p, { x: z[0].map((_, h) => `H${h}`), y: z.map((_, l) => `L${l}`) });
              if (c) setSender({ layer: c.row, head: c.col });
            }}
            testId="figure-path-patching"
            revision={job.runKey}
            exports={{
              name: 'path-patching',
              table: () => ({ columns: ['sender_layer', 'sender_head', 'metric', 'normalized'], rows: z.flatMap((row, l) => row.map((v, h) => [l, h, r.metric[l * row.length + h], v])) }),
              json: () => ({ analysis: 'pathPatching', params: job.params, axes: ['layer', 'head'], ...r }),
            }}
          />
          {sender && (
            <DetailList
              testId="path-patching-detail"
              items={[
                ['Sender', `L${sender.layer}H${sender.head}`],
                ['Receiver', receiverLabel(job.params.receiver)],
                ['Metric', r.metric[sender.layer * r.shape[1] + sender.head]],
                ['Normalised', r.normalized[sender.layer * r.shape[1] + sender.head]],
                ['Clean metric', r.cleanMetric],
                ['Corrupted metric', r.corruptedMetric],
              ]}
            />
          )}
        </div>
      )}
    </ViewLayout>
  );
}
